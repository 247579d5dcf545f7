#!/usr/bin/env python3
"""Makes the NeuronaImage test fixtures (run once; the outputs are committed).

  python3 scripts/make-image-fixtures.py DATA   # needs Pillow and NumPy (pip install pillow)

DATA holds pngsuite/ (Willem van Schaik's PngSuite, http://www.schaik.com/pngsuite/) and jpeg/
(the test images of libjpeg-turbo's testimages/ folder); the licences are in the fixtures'
README.

Writes Tests/NeuronaImageTests/Fixtures/:
  pngsuite/   PngSuite files copied from DATA/pngsuite
  jpeg/       libjpeg-turbo test images copied from DATA/jpeg
  generated/  small JPEGs and PNGs made here with Pillow (baseline, progressive, grey, CMYK,
              EXIF orientations 1-8) and the bad inputs (bad CRC, huge headers, text, empty)
  expected/   expected.txt: one line per good fixture with Pillow's decoding of it
                 <fixture> <reference> <width> <height> <channels> <crc32 of Pillow's bytes> <tol>
              where the pixels are 8-bit grey, RGB or RGBA (what NeuronaImage promises).
              With <tol> 0 (8-bit PNGs, every JPEG) the decoded bytes must have that CRC-32.
              With <tol> 1 (16-bit PNGs: libpng rounds v*255/65535, Pillow keeps v>>8) Pillow's
              pixels are also stored as <reference>, a plain 8-bit PNG; the test checks the
              reference's CRC-32 (so it holds exactly Pillow's bytes) and compares within <tol>.
"""
import io
import os
import shutil
import struct
import sys
import zlib

import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests", "NeuronaImageTests", "Fixtures")
if len(sys.argv) != 2:
    sys.exit("usage: scripts/make-image-fixtures.py DATA (holding pngsuite/ and jpeg/)")
DATA = sys.argv[1]

PNGSUITE = [
    "basn0g01", "basn0g02", "basn0g04", "basn0g08", "basn0g16", "basn2c08", "basn2c16",
    "basn3p01", "basn3p02", "basn3p04", "basn3p08", "basn4a08", "basn4a16", "basn6a08",
    "basn6a16",
    "ibasn0g08", "ibasn0g16", "ibasn2c08", "ibasn2c16", "ibasn3p08", "ibasn4a08", "ibasn4a16",
    "ibasn6a08", "ibasn6a16",
    "ftbbn0g01", "ftbbn0g02", "ftbbn0g04", "ftbwn0g16", "ftbrn2c08", "ftbbn3p08", "ftp1n3p08",
    "ftp0n3p08",
]
JPEGS = ["testorig.jpg", "testimgint.jpg", "testimgari.jpg", "testorig12.jpg",
         "sdl-sample-progressive.jpg"]


def png_chunks(data):
    pos, chunks = 8, []
    while pos < len(data):
        n, t = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.append((t, data[pos + 8:pos + 8 + n]))
        pos += 12 + n
    return chunks


def chunk(t, body):
    return struct.pack(">I", len(body)) + t + body + struct.pack(">I", zlib.crc32(t + body))


def pillow_reference(path):
    """Pillow's decode, as the 8-bit grey/RGB/RGBA array NeuronaImage promises."""
    im = Image.open(path)
    if im.format == "JPEG":
        im = ImageOps.exif_transpose(im)
        return np.asarray(im.convert("RGB") if im.mode == "CMYK" else im), 0
    data = open(path, "rb").read()
    ihdr = png_chunks(data)[0][1]
    depth, ctype = ihdr[8], ihdr[9]
    trns = dict(png_chunks(data)).get(b"tRNS")
    tol = 1 if depth == 16 else 0  # libpng rounds 16->8 bits (v*255/65535), Pillow takes v>>8
    if im.mode in ("I;16", "I;16B", "I"):  # 16-bit grey: Pillow keeps 16 bits
        raw = np.asarray(im).astype(np.uint32)
        grey = (raw >> 8).astype(np.uint8)
        if trns is None:
            return grey, tol
        alpha = np.where(raw == struct.unpack(">H", trns)[0], 0, 255).astype(np.uint8)
        return np.dstack([grey, grey, grey, alpha]), tol
    if ctype == 0 and trns is not None:  # low-depth grey with a transparent grey level
        level = struct.unpack(">H", trns)[0] * 255 // ((1 << depth) - 1)
        grey = np.asarray(im.convert("L"))
        alpha = np.where(grey == level, 0, 255).astype(np.uint8)
        return np.dstack([grey, grey, grey, alpha]), tol
    if im.mode == "1":
        return np.asarray(im.convert("L")), tol
    if im.mode in ("LA", "PA") or (im.mode in ("P", "RGB") and "transparency" in im.info):
        return np.asarray(im.convert("RGBA")), tol
    if im.mode == "P":
        return np.asarray(im.convert("RGB")), tol
    return np.asarray(im), tol


def photo(w, h):
    """A small deterministic picture with edges, gradients and a distinct corner in each
    quadrant, so that a wrong orientation is obvious."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([255 * xx / w, 255 * yy / h, 128 + 100 * np.sin(xx / 3) * np.cos(yy / 4)], -1)
    img[: h // 3, : w // 3] = (250, 20, 20)       # red top-left
    img[: h // 3, -w // 4:] = (20, 20, 250)       # blue top-right
    img[-h // 4:, : w // 4] = (20, 220, 20)       # green bottom-left
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


# Pillow transposes that undo each orientation; we store the inverse so that undoing it gives
# back the upright picture.
UNDO = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90}
INVERSE = {2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}


def main():
    shutil.rmtree(os.path.join(OUT, "expected"), ignore_errors=True)
    for sub in ("pngsuite", "jpeg", "generated", "expected"):
        os.makedirs(os.path.join(OUT, sub), exist_ok=True)
    good = []
    for name in PNGSUITE:
        shutil.copy(os.path.join(DATA, "pngsuite", name + ".png"), os.path.join(OUT, "pngsuite"))
        good.append("pngsuite/" + name + ".png")
    for name in JPEGS:
        shutil.copy(os.path.join(DATA, "jpeg", name), os.path.join(OUT, "jpeg"))
    good += ["jpeg/testorig.jpg", "jpeg/testimgint.jpg", "jpeg/testimgari.jpg",
             "jpeg/sdl-sample-progressive.jpg"]

    g = os.path.join(OUT, "generated")
    src = photo(40, 30)
    src.save(os.path.join(g, "baseline.jpg"), quality=90)
    src.save(os.path.join(g, "progressive.jpg"), quality=90, progressive=True)
    src.convert("L").save(os.path.join(g, "grey.jpg"), quality=90)
    src.convert("CMYK").save(os.path.join(g, "cmyk.jpg"), quality=90)
    src.save(os.path.join(g, "rgb444.jpg"), quality=90, subsampling=0)
    good += ["generated/" + n for n in ("baseline.jpg", "progressive.jpg", "grey.jpg", "cmyk.jpg",
                                        "rgb444.jpg")]
    upright = photo(24, 16)
    for k in range(1, 9):
        stored = upright if k == 1 else upright.transpose(UNDO[INVERSE[k]])
        exif = Image.Exif()
        exif[0x0112] = k
        stored.save(os.path.join(g, f"orientation{k}.jpg"), quality=95, exif=exif.tobytes())
        good.append(f"generated/orientation{k}.jpg")

    # Bad inputs.
    crc = bytearray(open(os.path.join(DATA, "pngsuite", "basn2c08.png"), "rb").read())
    idat = crc.index(b"IDAT")
    crc[8 + 8 + 13 + 3] ^= 0x55                  # the last byte of IHDR's CRC
    open(os.path.join(g, "bad-crc.png"), "wb").write(crc)
    ihdr = struct.pack(">IIBBBBB", 200000, 200000, 8, 2, 0, 0, 0)
    huge = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    open(os.path.join(g, "huge.png"), "wb").write(huge)
    jpg = bytearray(open(os.path.join(g, "baseline.jpg"), "rb").read())
    sof = jpg.index(b"\xff\xc0")
    jpg[sof + 5:sof + 9] = struct.pack(">HH", 60000, 60000)  # height, width
    open(os.path.join(g, "huge.jpg"), "wb").write(jpg)
    open(os.path.join(g, "text.png"), "w").write("This is a text file, not a picture.\n")
    open(os.path.join(g, "empty.png"), "wb").close()
    open(os.path.join(g, "jpeg-named.png"), "wb").write(open(os.path.join(g, "baseline.jpg"),
                                                              "rb").read())
    good.append("generated/jpeg-named.png")

    lines = []
    for rel in good:
        arr, tol = pillow_reference(os.path.join(OUT, rel))
        ref_name = "-"
        if tol > 0:
            ref_name = "expected/" + rel.replace("/", "_").rsplit(".", 1)[0] + ".png"
            Image.fromarray(arr).save(os.path.join(OUT, ref_name), optimize=True)
        c = 1 if arr.ndim == 2 else arr.shape[2]
        h, w = arr.shape[:2]
        lines.append(f"{rel} {ref_name} {w} {h} {c} {zlib.crc32(arr.tobytes()):08x} {tol}")
    open(os.path.join(OUT, "expected", "expected.txt"), "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

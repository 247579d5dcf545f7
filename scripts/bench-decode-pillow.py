#!/usr/bin/env python3
"""Pillow's side of `neurona-bench decode`: the same files, the same tasks, the same output.

  python3 scripts/bench-decode-pillow.py PATH...          # files and folders (recursive)
  python3 scripts/bench-decode-pillow.py --make-images DIR  # write the 512x512 test PNG and JPEG

Prints PATH<TAB>ok<TAB>WxHxC or PATH<TAB>error<TAB>message per file, then
RESULT<TAB>task<TAB>format<TAB>threads<TAB>images/s for decode, decode + resize to 256x256
(bilinear) and decode + resize with draft() (JPEG DCT scaling), on 1 thread and on all cores
(a thread pool; Pillow releases the GIL while decoding), and for 1 thread also images per
CPU-second (threads "1cpu"; robust to other load on a shared machine). Files are read into
memory first.
--make-images writes the synthetic 512×512 photo (make_test_image) as PNG at Pillow's default
level and as JPEG q90 4:2:0: the images behind the README's decode rows.
"""
import io
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from PIL import Image

SAMPLE_SECONDS = float(os.environ.get("BENCH_SECONDS", "0.6"))
SAMPLES = 3


def make_test_image(size=512, seed=0):
    """A deterministic stand-in for a photo, so that both decoders see realistic entropy: a sky
    to ground colour gradient, soft-edged discs of colour, a mid-frequency ripple and sensor
    noise (σ 6), as uint8 RGB."""
    rng = np.random.default_rng(seed)
    v, u = np.meshgrid(np.linspace(0, 1, size), np.linspace(0, 1, size), indexing="ij")
    picture = np.stack([40 + 170 * u, 60 + 150 * v, 60 + 140 * (1 - u) * v], axis=-1)
    for _ in range(12):
        centre, radius = rng.random(2), rng.uniform(0.05, 0.25)
        falloff = np.exp(-((u - centre[0]) ** 2 + (v - centre[1]) ** 2) / radius**2)
        picture += rng.uniform(-80, 80, 3) * falloff[..., None]
    picture += (18 * np.sin(21 * u + 9 * v) * np.cos(15 * v))[..., None]
    picture += rng.normal(0, 6, picture.shape)
    return np.clip(picture, 0, 255).astype(np.uint8)


def image_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            found = []
            for root, _, names in os.walk(p):
                found += [os.path.join(root, n) for n in names]
            out += sorted(found)
        else:
            out.append(p)
    return out


def decode(data):
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def decode_resize(data):
    return decode(data).resize((256, 256), Image.BILINEAR)


def decode_resize_draft(data):
    im = Image.open(io.BytesIO(data))
    im.draft(im.mode, (256, 256))  # JPEG only: DCT scaling to at least 256x256
    im.load()
    return im.resize((256, 256), Image.BILINEAR)


def run_pass(files, threads, work, pool):
    total = max(len(files), threads * 4)
    if threads == 1:
        for i in range(total):
            work(files[i % len(files)])
    else:
        list(pool.map(lambda i: work(files[i % len(files)]), range(total)))
    return total


def measure(files, threads, work, pool):
    """Median images per wall-clock second and per CPU-second (process time)."""
    for f in files:
        work(f)
    rates, cpu_rates = [], []
    for _ in range(SAMPLES):
        start, cpu_start, done = time.perf_counter(), time.process_time(), 0
        while time.perf_counter() - start < SAMPLE_SECONDS:
            done += run_pass(files, threads, work, pool)
        rates.append(done / (time.perf_counter() - start))
        cpu_rates.append(done / (time.process_time() - cpu_start))
    return statistics.median(rates), statistics.median(cpu_rates)


def main(argv):
    if len(argv) == 2 and argv[0] == "--make-images":
        os.makedirs(argv[1], exist_ok=True)
        src = Image.fromarray(make_test_image())
        src.save(os.path.join(argv[1], "test512.png"), format="PNG")
        src.save(os.path.join(argv[1], "test512_q90.jpg"), format="JPEG", quality=90)
        return 0
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    groups = {"PNG": [], "JPEG": []}
    for path in image_files(argv):
        try:
            data = open(path, "rb").read()
            im = decode(data)
            c = len(im.getbands())
            print(f"{path}\tok\t{im.width}×{im.height}×{c}")
            if im.format in groups:
                groups[im.format].append(data)
        except Exception as e:  # noqa: BLE001 - report every failure as a line
            print(f"{path}\terror\t{type(e).__name__}: {e}")
    cores = os.cpu_count() or 1
    threads_list = [1, cores] if cores > 1 else [1]
    print(f"# {sum(map(len, groups.values()))} files; {cores} cores; Pillow {Image.__version__}")
    tasks = [("decode", decode), ("decode+resize256", decode_resize),
             ("decode+resize256-draft", decode_resize_draft)]
    with ThreadPoolExecutor(max_workers=cores) as pool:
        for fmt in ("PNG", "JPEG"):
            files = groups[fmt]
            if not files:
                continue
            for name, work in tasks:
                for threads in threads_list:
                    rate, cpu_rate = measure(files, threads, work, pool)
                    print(f"RESULT\t{name}\t{fmt}\t{threads}\t{rate:.1f}", flush=True)
                    if threads == 1:
                        print(f"RESULT\t{name}\t{fmt}\t1cpu\t{cpu_rate:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Benchmark of `segment --box` (GrabCut) against OpenCV's cv2.grabCut, and of `segment refine`
against plain bilinear upscaling, on composites this script builds itself: a sharp-edged shape
(scikit-image's CC0 horse silhouette, or a drawn star-and-disc) filled with one photo and laid
over another at 1–2 MP, with antialiased edges, so the true mask is known exactly.

Needs: pip install numpy pillow opencv-python-headless scikit-image (the benchmark only).
Usage: scripts/bench-box.py [--segment .build/release/segment] [--samples SampleImages]
Prints a Markdown table: IoU against the true mask, boundary F-measure (1 px tolerance) for the
edges, and seconds (wall clock of the whole command: decode, compute, encode, write).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shape_horse():
    """The horse silhouette (True = horse), or None without scikit-image."""
    try:
        from skimage import data
    except ImportError:
        return None
    return ~data.horse()


def shape_drawn(size=400):
    """A five-pointed star joined to a disc, drawn at `size`² (True = shape)."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    c = size / 2
    angle = np.arctan2(yy - c, xx - c)
    radius = np.hypot(yy - c, xx - c)
    star = radius < size * (0.22 + 0.16 * np.cos(5 * angle))
    disc = np.hypot(yy - size * 0.7, xx - size * 0.72) < size * 0.17
    return star | disc


def alpha_at(shape, width, height, supersample=4):
    """The shape scaled (bilinearly, then thresholded) to fit `width×height` with a margin,
    its edge antialiased by averaging `supersample`² sub-pixels: alpha in 0…1."""
    big = (width * supersample, height * supersample)
    rows, cols = np.nonzero(shape)
    crop = shape[rows.min():rows.max() + 1, cols.min():cols.max() + 1].astype(np.float32)
    scale = min(big[0] * 0.7 / crop.shape[1], big[1] * 0.7 / crop.shape[0])
    inner = (int(crop.shape[1] * scale), int(crop.shape[0] * scale))
    resized = cv2.resize(crop, inner, interpolation=cv2.INTER_LINEAR) >= 0.5
    canvas = np.zeros((big[1], big[0]), np.float32)
    top, left = (big[1] - inner[1]) // 2, (big[0] - inner[0]) // 2
    canvas[top:top + inner[1], left:left + inner[0]] = resized
    return canvas.reshape(height, supersample, width, supersample).mean(axis=(1, 3))


def photo(path, width, height):
    return np.asarray(Image.open(path).convert("RGB").resize((width, height), Image.BICUBIC),
                      dtype=np.float32)


def boundary(mask):
    """Pixels of the mask that touch its outside (4-neighbourhood)."""
    eroded = cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8), borderValue=1)
    return mask & ~eroded.astype(bool)


def boundary_f(found, truth, tolerance=1):
    """Boundary F-measure: found edge pixels within `tolerance` px of a true edge pixel
    (precision) and the reverse (recall)."""
    kernel = np.ones((2 * tolerance + 1, 2 * tolerance + 1), np.uint8)
    bf, bt = boundary(found), boundary(truth)
    near_t = cv2.dilate(bt.astype(np.uint8), kernel).astype(bool)
    near_f = cv2.dilate(bf.astype(np.uint8), kernel).astype(bool)
    precision = (bf & near_t).sum() / max(bf.sum(), 1)
    recall = (bt & near_f).sum() / max(bt.sum(), 1)
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def iou(found, truth):
    return (found & truth).sum() / max((found | truth).sum(), 1)


def run(command):
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return seconds


def best_of(rounds, function):
    """The fastest of `rounds` calls (the VM's timings drift): (seconds, last result)."""
    times, result = [], None
    for _ in range(rounds):
        seconds, result = function()
        times.append(seconds)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segment", default=os.path.join(ROOT, ".build/release/segment"))
    parser.add_argument("--samples", default=os.path.join(ROOT, "SampleImages"))
    parser.add_argument("--rounds", type=int, default=3, help="timed runs; the fastest counts")
    args = parser.parse_args()
    cv2.setNumThreads(2)
    horse = shape_horse()
    drawn = shape_drawn()
    s = lambda name: os.path.join(args.samples, name)
    scenes = [
        ("horse", horse if horse is not None else drawn, s("chelsea.png"), s("rocket.jpg"),
         1224, 816),
        ("star+disc", drawn, s("coffee.png"), s("astronaut.png"), 1024, 1024),
        ("horse on cat", horse if horse is not None else drawn, s("rocket.jpg"),
         s("chelsea.png"), 1600, 1200),
    ]
    folder = tempfile.mkdtemp(prefix="bench-box-", dir="/dev/shm" if os.path.isdir("/dev/shm")
                              else None)
    rows = []
    for name, shape, inside, outside, width, height in scenes:
        alpha = alpha_at(shape, width, height)
        picture = alpha[..., None] * photo(inside, width, height) + (1 - alpha[..., None]) * \
            photo(outside, width, height)
        picture = np.clip(picture + 0.5, 0, 255).astype(np.uint8)
        truth = alpha >= 0.5
        path = os.path.join(folder, f"{name.replace(' ', '-').replace('+', '-')}.png")
        Image.fromarray(picture).save(path)
        rows_, cols_ = np.nonzero(truth)
        margin = int(0.04 * max(width, height))
        x0, y0 = max(0, cols_.min() - margin), max(0, rows_.min() - margin)
        x1, y1 = min(width, cols_.max() + 1 + margin), min(height, rows_.max() + 1 + margin)
        box = (x0, y0, x1 - x0, y1 - y0)

        out = os.path.join(folder, "box.png")
        box_seconds, _ = best_of(args.rounds, lambda: (run(
            [args.segment, path, "--box", ",".join(map(str, box)), "-o", out, "--force"]), None))
        found = np.asarray(Image.open(out)) >= 128

        bgr = cv2.cvtColor(picture, cv2.COLOR_RGB2BGR)

        def opencv():
            mask = np.zeros(truth.shape, np.uint8)
            background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
            start = time.perf_counter()
            cv2.grabCut(bgr, mask, box, background, foreground, 5, cv2.GC_INIT_WITH_RECT)
            return time.perf_counter() - start, (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
        cv_seconds, cv_found = best_of(1, opencv)

        # Edges: the true alpha shrunk 16× is the coarse mask.
        coarse = cv2.resize(alpha, (width // 16, height // 16), interpolation=cv2.INTER_AREA)
        coarse_path = os.path.join(folder, "coarse.png")
        Image.fromarray(np.clip(coarse * 255 + 0.5, 0, 255).astype(np.uint8)).save(coarse_path)
        plain = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR) >= 0.5
        refined_path = os.path.join(folder, "refined.png")
        refine_seconds, _ = best_of(args.rounds, lambda: (run(
            [args.segment, "refine", path, coarse_path, "-o", refined_path, "--force"]), None))
        refined = np.asarray(Image.open(refined_path)) >= 128
        megapixels = width * height / 1e6
        rows.append((name, f"{width}×{height}", f"{megapixels:.2f}",
                     f"{iou(found, truth):.4f}", f"{box_seconds:.2f}",
                     f"{iou(cv_found, truth):.4f}", f"{cv_seconds:.2f}",
                     f"{iou(plain, truth):.4f} / {boundary_f(plain, truth):.3f}",
                     f"{iou(refined, truth):.4f} / {boundary_f(refined, truth):.3f}",
                     f"{refine_seconds:.2f} ({refine_seconds / megapixels:.2f}/MP)"))
    header = ("scene", "size", "MP", "`--box` IoU", "`--box` s", "cv2.grabCut IoU",
              "cv2.grabCut s", "bilinear ×16 IoU / BF", "`refine` IoU / BF", "`refine` s")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nboxes: the true mask's bounding box + 4 % margin; OpenCV {cv2.__version__}, "
          f"{cv2.getNumThreads()} threads, 5 iterations; Neurona times: best of {args.rounds}, "
          "whole command (decode, compute, encode, write)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Cuts the nuclei image (stardist's img2d from the 2018 Data Science Bowl, CC0, converted
losslessly from TIFF to image.png, mask.png and 16-bit labels.png) into the training region and
the held-out tiles the shipped nuclei model uses.

The right quarter (x >= 384) is held out: never trained on. It is cut into four 128x128
tiles (y = 0, 128, 256, 384) for evaluation, as the PyTorch reference run did. Run once; the
outputs are committed under Datasets/nuclei/ (Datasets/nuclei/README.md says where from).
Usage: scripts/prepare-nuclei.py SOURCE_DIR (the folder holding the three PNGs)
"""
import os
import sys

import numpy as np
from PIL import Image

if len(sys.argv) != 2:
    sys.exit("usage: scripts/prepare-nuclei.py SOURCE_DIR (holding image.png, mask.png, labels.png)")
source = sys.argv[1]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Datasets", "nuclei")
image = np.array(Image.open(os.path.join(source, "image.png")))
mask = np.array(Image.open(os.path.join(source, "mask.png")))
labels = np.array(Image.open(os.path.join(source, "labels.png")))
assert image.shape == mask.shape == labels.shape == (512, 512)


def save(array, *parts):
    path = os.path.join(root, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path, optimize=True)


save(image[:, :384], "train", "images", "nuclei_left.png")
save(mask[:, :384], "train", "masks", "nuclei_left.png")
save(labels[:, :384].astype(np.uint16), "train", "labels", "nuclei_left.png")
for y in (0, 128, 256, 384):
    name = f"tile_y{y:03d}.png"
    save(image[y:y + 128, 384:], "heldout", "images", name)
    save(mask[y:y + 128, 384:], "heldout", "masks", name)
    save(labels[y:y + 128, 384:].astype(np.uint16), "heldout", "labels", name)
# The whole held-out strip (128x512) as one picture, so objects cut by the tile borders are
# scored whole: the unit of `segment evaluate --instances` in Models/nuclei-instances.md.
save(image[:, 384:], "heldout-strip", "images", "nuclei_right.png")
save(mask[:, 384:], "heldout-strip", "masks", "nuclei_right.png")
save(labels[:, 384:].astype(np.uint16), "heldout-strip", "labels", "nuclei_right.png")
save(image[:, 384:], "..", "..", "SampleImages", "nuclei.png")
print("written under", os.path.normpath(root))

#!/usr/bin/env python3
# Classical instance baseline on the held-out strip: Gaussian-smoothed image, global threshold,
# 3x3 opening, 4-connected components (objects < 10 px dropped); the threshold is swept on
# the strip itself (an optimistic baseline). Scored with the DSB-2018 metric.
# Usage: scripts/nuclei-classical-baseline.py (NumPy, SciPy, Pillow). Models/nuclei-instances.md.
import os
import numpy as np
from PIL import Image
from scipy import ndimage as ndi
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
img = np.array(Image.open(ROOT + '/Datasets/nuclei/heldout-strip/images/nuclei_right.png')).astype(float)
t = np.array(Image.open(ROOT + '/Datasets/nuclei/heldout-strip/labels/nuclei_right.png')).astype(np.int64)
def score(p):
    pi = [i for i in np.unique(p) if i]; ti = [i for i in np.unique(t) if i]
    iou = np.zeros((len(pi), len(ti)))
    for a, i in enumerate(pi):
        pm = p == i
        for j in np.unique(t[pm]):
            if j: iou[a, ti.index(j)] = (pm & (t == j)).sum() / (pm | (t == j)).sum()
    pr = [(iou > th).sum() / (len(pi) + len(ti) - (iou > th).sum()) for th in np.arange(0.5, 1.0, 0.05)]
    return np.mean(pr), pr[0], 2 * (iou > 0.5).sum() / (len(pi) + len(ti))
s = ndi.gaussian_filter(img, 1.0)
best = None
for th in range(10, 120, 2):
    m = ndi.binary_opening(s > th, structure=np.ones((3, 3)))
    lab, n = ndi.label(m)
    sizes = ndi.sum(m, lab, range(1, n + 1))
    for k, sz in enumerate(sizes, 1):
        if sz < 10: lab[lab == k] = 0
    r = score(lab)
    if best is None or r[1] > best[1][1]: best = (th, r)
print('best threshold %d: map %.3f ap50 %.3f f1 %.3f' % (best[0], *best[1]))

#!/usr/bin/env python3
"""The onnxruntime peer of `neurona-bench models --only efficientnet`:
EfficientNet-Lite0 as Neurona builds it (Sources/NeuronaVision/Networks/EfficientNetLite.swift:
B0's stages, ReLU6, no squeeze-excite, TensorFlow SAME padding, BatchNorm), exported to ONNX
and timed at 224x224 on N threads, the median of timed samples after a warm-up (timing.py).

  scripts/peers/efficientnet.py [--threads 2] [--samples 7] [--sample-s 0.5] [--json FILE]

--json FILE writes the figures as reference-models.py does ({"ort/t2/efficientnet/infer_bs1":
{"median": …}}), so that scripts/bench-vs-peers.sh merges them into its round's peer figures.

Needs `pip install torch onnx onnxruntime`. Random weights: speed does not depend on them.
"""
import argparse, json, os, sys, tempfile
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import measure  # noqa: E402

# kernel, first stride, expansion, channels in, channels out, blocks
STAGES = [(3, 1, 1, 32, 16, 1), (3, 2, 6, 16, 24, 2), (5, 2, 6, 24, 40, 2), (3, 2, 6, 40, 80, 3),
          (5, 1, 6, 80, 112, 3), (5, 2, 6, 112, 192, 4), (3, 1, 6, 192, 320, 1)]


def conv_bn(cin, cout, k=1, stride=1, groups=1, act=True):
    """Convolution with TensorFlow SAME padding (static for a 224 input), BatchNorm, ReLU6."""
    layers = [nn.Conv2d(cin, cout, k, stride, groups=groups, bias=False), nn.BatchNorm2d(cout, eps=1e-3)]
    return layers + ([nn.ReLU6()] if act else [])


class SamePad(nn.Module):
    def __init__(self, k, s):
        super().__init__(); self.k, self.s = k, s

    def forward(self, x):
        pads = []
        for n in (x.shape[-1], x.shape[-2]):
            total = max((-(-int(n) // self.s) - 1) * self.s + self.k - int(n), 0)
            pads += [total // 2, total - total // 2]
        return F.pad(x, pads)


class MBConv(nn.Module):
    def __init__(self, k, s, e, cin, cout):
        super().__init__()
        mid = cin * e
        layers = conv_bn(cin, mid) if e != 1 else []
        layers += [SamePad(k, s)] + conv_bn(mid, mid, k, s, groups=mid) + conv_bn(mid, cout, act=False)
        self.body, self.residual = nn.Sequential(*layers), s == 1 and cin == cout

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


def lite0():
    blocks = [SamePad(3, 2)] + conv_bn(3, 32, 3, 2)
    for k, s, e, cin, cout, n in STAGES:
        blocks += [MBConv(k, s if i == 0 else 1, e, cin if i == 0 else cout, cout) for i in range(n)]
    blocks += conv_bn(320, 1280) + [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1280, 1000)]
    return nn.Sequential(*blocks).eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--sample-s", type=float, default=0.5)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import onnxruntime as ort
    model = lite0()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for batch in (1, 32):
            # One graph per batch size, traced with fixed shapes: the SAME pads are constants
            # in it, as they are for any exporter that knows the input size.
            path = os.path.join(folder, f"lite0_bs{batch}.onnx")
            torch.onnx.export(model, torch.zeros(batch, 3, 224, 224), path, input_names=["x"],
                              dynamo=False)
            options = ort.SessionOptions()
            options.intra_op_num_threads, options.inter_op_num_threads = args.threads, 1
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            x = np.random.default_rng(1).random((batch, 3, 224, 224), dtype=np.float32)
            results[f"ort/t{args.threads}/efficientnet/infer_bs{batch}"] = measure(
                lambda: session.run(None, {"x": x}), batch, args.samples, args.sample_s)
    for key, value in sorted(results.items()):
        print(f"{key:36} {value['median']:10.1f} /s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()

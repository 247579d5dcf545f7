#!/usr/bin/env python3
"""The peers of `neurona-bench models` for the two reference models, FashionNet and UNetSmall,
defined here layer for layer as Neurona builds them (Sources/NeuronaVision/Networks/): PyTorch
eager (float32, CPU) for training and inference, onnxruntime for inference on the same networks
exported to ONNX. Each figure is the median of timed samples after a warm-up (timing.py).

  scripts/peers/reference-models.py [--threads 2] [--only torch,ort] [--samples 7]
                                    [--sample-s 0.5] [--json FILE]

--json FILE writes {"meta": {...}, "torch/t2/fashionnet/train_bs64": {"median": ...}, ...}, the
figures scripts/peer-ratios.py reads (scripts/bench-vs-peers.sh runs this). Random weights and
inputs: speed does not depend on them. Needs `pip install torch onnx onnxruntime numpy`.
"""
import argparse
import json
import os
import platform
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import measure  # noqa: E402


def fashion_net():
    """1×28×28 → two 3×3 convolutions (32, 64; padding 1) each with ReLU and a 2×2 max-pool →
    3136 → 128 (ReLU, dropout 0.5) → 10 logits."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def conv_bn_relu_twice(channels_in, channels_out):
    layers = []
    for c in (channels_in, channels_out):
        layers += [nn.Conv2d(c, channels_out, 3, padding=1), nn.BatchNorm2d(channels_out),
                   nn.ReLU()]
    return nn.Sequential(*layers)


class UNetSmall(nn.Module):
    """Encoder 16-32-64-128 (two conv-BN-ReLU per level, 2×2 max-pool between), bottleneck 256,
    decoder of 2×2 stride-2 transposed convolutions halving the channels, the skip concatenated
    after the upsampled map, two conv-BN-ReLU per level; a 1×1 convolution to one logit."""

    def __init__(self, widths=(16, 32, 64, 128), channels=3):
        super().__init__()
        self.down = nn.ModuleList()
        for width in widths:
            self.down.append(conv_bn_relu_twice(channels, width))
            channels = width
        self.bottleneck = conv_bn_relu_twice(channels, 2 * channels)
        channels *= 2
        self.upsample, self.up = nn.ModuleList(), nn.ModuleList()
        for width in reversed(widths):
            self.upsample.append(nn.ConvTranspose2d(channels, width, 2, stride=2))
            self.up.append(conv_bn_relu_twice(2 * width, width))
            channels = width
        self.head = nn.Conv2d(channels, 1, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        skips = []
        for level in self.down:
            x = level(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for upsample, level, skip in zip(self.upsample, self.up, reversed(skips)):
            x = level(torch.cat([upsample(x), skip], dim=1))
        return self.head(x)


# name → (network, input shape of one image, inference batches, training batch, loss, target)
MODELS = {
    "fashionnet": (fashion_net, (1, 28, 28), (1, 256), 64, nn.CrossEntropyLoss(),
                   lambda n: torch.randint(0, 10, (n,))),
    "unet": (UNetSmall, (3, 256, 256), (1, 8), 8, nn.BCEWithLogitsLoss(),
             lambda n: (torch.rand(n, 1, 256, 256) > 0.5).float()),
}


def bench_torch(threads, args, results):
    torch.manual_seed(0)
    for name, (build, shape, batches, train_batch, loss, target) in MODELS.items():
        network = build().eval()
        for batch in batches:
            x = torch.randn(batch, *shape)
            with torch.inference_mode():
                results[f"torch/t{threads}/{name}/infer_bs{batch}"] = measure(
                    lambda: network(x), batch, args.samples, args.sample_s)
        network = build().train()
        optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
        x, y = torch.randn(train_batch, *shape), target(train_batch)

        def step():
            optimizer.zero_grad(set_to_none=True)
            loss(network(x), y).backward()
            optimizer.step()

        results[f"torch/t{threads}/{name}/train_bs{train_batch}"] = measure(
            step, train_batch, args.samples, args.sample_s)


def bench_ort(threads, args, results):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    with tempfile.TemporaryDirectory() as folder:
        for name, (build, shape, batches, _, _, _) in MODELS.items():
            path = os.path.join(folder, f"{name}.onnx")
            torch.onnx.export(build().eval(), (torch.zeros(1, *shape),), path,
                              input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, opset_version=17,
                              dynamo=False)
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            for batch in batches:
                x = np.random.default_rng(0).standard_normal((batch, *shape), dtype=np.float32)
                results[f"ort/t{threads}/{name}/infer_bs{batch}"] = measure(
                    lambda: session.run(None, {"x": x}), batch, args.samples, args.sample_s)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="torch,ort")
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--sample-s", type=float, default=0.5)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    sections = set(args.only.split(","))
    results = {}
    try:
        import onnxruntime
        ort_version = onnxruntime.__version__
    except ImportError:
        ort_version = None
    import PIL
    results["meta"] = {
        "torch": torch.__version__, "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "onnxruntime": ort_version, "pillow": PIL.__version__, "numpy": np.__version__,
        "python": platform.python_version(), "time": time.strftime("%Y-%m-%d %H:%M:%S")}
    if "torch" in sections:
        bench_torch(args.threads, args, results)
    if "ort" in sections:
        bench_ort(args.threads, args, results)
    for key, value in results.items():
        if key != "meta":
            load = max(value["other_load"])
            print(f"{key:34} {value['median']:10.1f} /s  (range {value['min']:.1f}–"
                  f"{value['max']:.1f}, other load up to {load:.2f} cores)", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()

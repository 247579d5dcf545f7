#!/usr/bin/env bash
# Runs every fuzz target for a few seconds (default 20 each), as `make test` does: enough to
# catch a loader that crashes on its own seeds or on the first mutations. Build first with
# `make fuzz`. A crash fails the run and leaves the input in .build/fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
for target in png jpeg image model idx tflite; do
  echo "== fuzz $target for ${seconds}s"
  # A fixed seed: the same mutations on every run of the same build.
  Fuzz/run.sh "$target" "$seconds" -seed=1 -print_final_stats=0 2>&1 | tail -4
done

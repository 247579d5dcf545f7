#!/usr/bin/env bash
# Retrains the shipped models with the exact commands their cards record, then evaluates them.
# Takes a while on 2 cores (see each card). The nuclei model is chosen by training loss: its
# held-out tiles are for the final figure only, never for choosing an epoch. Usage: scripts/train-models.sh [fashionnet|rowlstm|nuclei|nuclei-instances]…
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --datasets
swift build -c release --product classify --product segment
bin=.build/release
mkdir -p build-logs
fashion=/usr/share/datasets/fashion-mnist
for model in "${@:-fashionnet rowlstm nuclei}"; do
  for name in $model; do
    case "$name" in
    fashionnet)
      $bin/classify train $fashion --arch cnn --epochs 15 --batch-size 64 --lr 0.001 \
        --optimizer adam --lr-schedule cosine --seed 0 --validation-split 0.1 \
        --output Models/fashionnet.safetensors \
        --force | tee build-logs/fashionnet.log
      $bin/classify evaluate $fashion --split test --model Models/fashionnet.safetensors \
        | tee -a build-logs/fashionnet.log ;;
    rowlstm)
      $bin/classify train $fashion --arch lstm --epochs 15 --batch-size 128 --lr 0.001 \
        --optimizer adam --seed 0 --validation-split 0.1 --output Models/rowlstm.safetensors \
        --force | tee build-logs/rowlstm.log
      $bin/classify evaluate $fashion --split test --model Models/rowlstm.safetensors \
        | tee -a build-logs/rowlstm.log ;;
    nuclei)
      $bin/segment train --images Datasets/nuclei/train/images --masks Datasets/nuclei/train/masks \
        --validation-split 0 --size 128 --batch-size 8 --steps-per-epoch 50 --epochs 16 --lr 0.001 --seed 0 \
        --output Models/nuclei.safetensors --force | tee build-logs/nuclei.log
      $bin/segment evaluate --images Datasets/nuclei/heldout/images \
        --masks Datasets/nuclei/heldout/masks --model Models/nuclei.safetensors --per-image \
        | tee -a build-logs/nuclei.log ;;
    nuclei-instances)
      $bin/segment train --images Datasets/nuclei/train/images --masks Datasets/nuclei/train/labels \
        --target boundary3 --validation-split 0 --size 128 --batch-size 8 --steps-per-epoch 40 \
        --epochs 10 --lr 0.001 --seed 0 --output Models/nuclei-instances.safetensors --force \
        | tee build-logs/nuclei-instances.log
      $bin/segment evaluate --instances --images Datasets/nuclei/heldout-strip/images \
        --masks Datasets/nuclei/heldout-strip/labels --model Models/nuclei-instances.safetensors \
        | tee -a build-logs/nuclei-instances.log ;;
    *) echo "unknown model $name" >&2; exit 2 ;;
    esac
  done
done

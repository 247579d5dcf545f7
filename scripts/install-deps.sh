#!/usr/bin/env bash
# Installs the system packages Neurona builds and runs against. Idempotent: does nothing
# when everything is already there. Pass --datasets to also install Fashion-MNIST.
set -euo pipefail
packages=(libpng-dev libjpeg-dev libopenblas-dev zlib1g-dev pkg-config)
if [[ "${1:-}" == "--datasets" ]]; then packages+=(dataset-fashion-mnist); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2

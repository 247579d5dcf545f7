#!/usr/bin/env bash
# Installs the system packages Neurona builds and runs against. Idempotent: does nothing
# when everything is already there. `--tests` also installs what the test suite reads (the
# Fashion-MNIST dataset package; Python's safetensors and numpy, to check our model files
# against the reference reader); `--datasets` is the dataset alone.
set -euo pipefail
packages=(libpng-dev libjpeg-dev libopenblas-dev zlib1g-dev pkg-config)
python_modules=()
case "${1:-}" in
  --datasets) packages+=(dataset-fashion-mnist) ;;
  --tests) packages+=(dataset-fashion-mnist); python_modules=(safetensors numpy) ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
apt_install() {
  echo "installing: $*" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}
if [[ ${#missing[@]} -gt 0 ]]; then apt_install "${missing[@]}"; fi
if [[ ${#python_modules[@]} -gt 0 ]] && ! python3 -m pip --version >/dev/null 2>&1; then
  apt_install python3-pip
fi
for module in "${python_modules[@]}"; do
  python3 -c "import $module" 2>/dev/null && continue
  echo "installing Python's $module" >&2
  python3 -m pip install -q "$module" >&2 || python3 -m pip install -q --break-system-packages "$module" >&2
done

#!/usr/bin/env bash
# Installs the system packages Neurona builds and runs against. Idempotent: does nothing
# when everything is already there. `--tests` also installs what the test suite reads (the
# Fashion-MNIST dataset package; Python's safetensors and numpy, to check our model files
# against the reference reader; Open MPI, for the 2-rank training test under mpirun;
# Chromium, its driver and Python's selenium, to test the servers' page in a real browser);
# `--datasets` is the dataset alone; `--bench` adds wrk (scripts/bench-serve.sh).
set -euo pipefail
# Swift 6 or later builds this package (swift-tools-version 6.2).
if ! command -v swift >/dev/null 2>&1; then
  echo "install-deps.sh: no swift on PATH; install Swift 6.2 or later from https://www.swift.org/install/linux/" >&2
  exit 1
fi
swift_major=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\).*/\1/p' | head -1)
if [[ -z $swift_major || $swift_major -lt 6 ]]; then
  echo "install-deps.sh: Swift ${swift_major:-?} found, 6.2 or later needed (https://www.swift.org/install/linux/)" >&2
  exit 1
fi
packages=(libpng-dev libjpeg-dev libopenblas-dev zlib1g-dev pkg-config)
python_modules=()
case "${1:-}" in
  --datasets) packages+=(dataset-fashion-mnist) ;;
  --tests)
    packages+=(dataset-fashion-mnist openmpi-bin libopenmpi-dev chromium chromium-driver)
    python_modules=(safetensors numpy selenium)
    ;;
  --bench) packages+=(wrk) ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# As root directly; otherwise through sudo (keeping DEBIAN_FRONTEND), when sudo is there and
# may be used without a terminal prompt or with one; else one line saying what to run.
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo --preserve-env=DEBIAN_FRONTEND)
  else
    sudo=(false)
  fi
fi
apt_install() {
  echo "installing: $*" >&2
  if [[ ${sudo[0]:-} == false ]]; then
    echo "install-deps.sh: not root and no sudo; run as root: apt-get install -y $*" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq "$@" >&2
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

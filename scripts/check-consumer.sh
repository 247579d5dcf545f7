#!/usr/bin/env bash
# Builds a package that depends on this repository by a local git URL and a version tag, as
# another project would depend on a release (`.package(url:, from: "1.0.0")`), and runs it on
# the shipped FashionNet and samples (scripts/consumer/). The tag is made in a temporary bare
# clone of HEAD, so this repository's tags are left alone. Release build; about 3 minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q --bare "$root" "$work/neurona.git"
git -C "$work/neurona.git" tag 1.0.0 HEAD
mkdir -p "$work/consumer"
cp -R "$root/scripts/consumer/Sources" "$work/consumer/"
sed "s#@NEURONA_URL@#file://$work/neurona.git#" "$root/scripts/consumer/Package.swift.in" \
  > "$work/consumer/Package.swift"
cd "$work/consumer"
swift build -c release
.build/release/NeuronaConsumer "$root/Models/fashionnet.safetensors" "$root"/SampleImages/fashion/*.png

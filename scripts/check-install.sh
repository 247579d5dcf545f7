#!/usr/bin/env bash
# `make install` into a temporary prefix, then, from another folder, the installed commands:
# their versions, man pages and completions, and `segment`/`classify` on a sample picture with
# their default models found under PREFIX/share/neurona/Models; then `make uninstall` must
# leave nothing behind (only empty folders that existed before are allowed: none here).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
make -C "$root" --no-print-directory install PREFIX="$prefix" > /dev/null
cd "$(mktemp -d)"
"$prefix/bin/segment" --version
"$prefix/bin/classify" --version
test -s "$prefix/share/man/man1/segment.1" && test -s "$prefix/share/man/man1/classify.1"
test -s "$prefix/share/bash-completion/completions/segment"
test -s "$prefix/share/zsh/site-functions/_classify"
test -s "$prefix/share/fish/vendor_completions.d/classify.fish"
cp "$root/SampleImages/coffee.png" .
env -u NEURONA_MODELS "$prefix/bin/segment" coffee.png -o coffee.mask.png
test -s coffee.mask.png
env -u NEURONA_MODELS "$prefix/bin/classify" coffee.png --format csv | grep -q "espresso"
make -C "$root" --no-print-directory uninstall PREFIX="$prefix" > /dev/null
left=$(find "$prefix" -type f | head -5)
if [ -n "$left" ]; then echo "uninstall left files behind: $left"; exit 1; fi
echo "install: commands, models, man pages and completions installed and removed cleanly"

#!/bin/sh
# Decode throughput, NeuronaImage vs Pillow, on the same files in one run:
#   scripts/bench-decode.sh [PATH...]
# Without paths it benchmarks the synthetic 512×512 PNG and JPEG q90 of
# scripts/bench-decode-pillow.py --make-images (written to a temporary folder).
# Prints both tools' lines, then a table of images/s and the ratio NeuronaImage ÷ Pillow.
# BENCH_SECONDS (default 0.6) sets the length of each of the 3 timed samples per figure.
set -eu
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  python3 scripts/bench-decode-pillow.py --make-images "$dir"
  set -- "$dir"
fi
swift build -c release --product neurona-bench >/dev/null
swift_out=$(mktemp)
pillow_out=$(mktemp)
.build/release/neurona-bench decode "$@" | tee "$swift_out"
python3 scripts/bench-decode-pillow.py "$@" | tee "$pillow_out"
echo
printf '%-24s %-5s %7s %12s %12s %7s\n' task format threads neurona/s pillow/s ratio
awk -F'\t' '
  FNR == NR && $1 == "RESULT" { ours[$2 FS $3 FS $4] = $5; order[++n] = $2 FS $3 FS $4; next }
  $1 == "RESULT" { theirs[$2 FS $3 FS $4] = $5 }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]; split(k, p, FS)
      t = theirs[k] + 0
      printf "%-24s %-5s %7s %12.1f %12.1f %7s\n", p[1], p[2], p[3], ours[k], t,
        (t > 0 ? sprintf("%.2f", ours[k] / t) : "-")
    }
  }' "$swift_out" "$pillow_out"
rm -f "$swift_out" "$pillow_out"

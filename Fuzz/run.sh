#!/usr/bin/env bash
# Runs one libFuzzer target of Fuzz/ for a while at the lowest priority (the machine's cores
# are shared): Fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags…]. TARGET is png, jpeg,
# image, model, idx or tflite. The working corpus lives in .build/fuzz/corpus/TARGET (seeded
# from the repository's fixtures on first use and kept between runs); crashers go to
# .build/fuzz/artifacts/TARGET/. Build first with `make fuzz`.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Fuzz/run.sh png|jpeg|image|model|idx|tflite [seconds]}
seconds=${2:-600}
shift $(( $# < 2 ? $# : 2 ))
fixtures=Tests/NeuronaImageTests/Fixtures
case "$target" in
  png) binary=FuzzPNG; seeds=("$fixtures"/pngsuite/*.png "$fixtures"/generated/*.png) ;;
  jpeg) binary=FuzzJPEG; seeds=("$fixtures"/jpeg/*.jpg "$fixtures"/generated/*.jpg) ;;
  image) binary=FuzzImage; seeds=("$fixtures"/pngsuite/*.png "$fixtures"/generated/* "$fixtures"/jpeg/*.jpg) ;;
  model) binary=FuzzModelFile; seeds=(Fuzz/Seeds/model/*) ;;
  idx) binary=FuzzIDX; seeds=(Fuzz/Seeds/idx/*) ;;
  tflite) binary=FuzzTFLite; seeds=(Tests/CommandTests/Fixtures/*.tflite) ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
corpus=.build/fuzz/corpus/$target
artifacts=.build/fuzz/artifacts/$target
mkdir -p "$corpus" "$artifacts"
# Regression inputs found earlier are seeds too.
for seed in "${seeds[@]}" Fuzz/Crashers/"$target"/*; do
  [[ -f "$seed" ]] && cp -n "$seed" "$corpus/" 2>/dev/null || true
done
# libFuzzer reports crashes itself; Swift's backtracer would take over its signal handlers.
export SWIFT_BACKTRACE=enable=no
exec nice -n 19 Fuzz/.build/release/"$binary" "$corpus" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$artifacts/" -print_final_stats=1 "$@"

#!/usr/bin/env bash
# Neurona against its peers, side by side, in one run (issue "performance"):
#   scripts/bench-vs-peers.sh [--threads N] [--rounds N] [--quick] [--out FILE] [--raw DIR]
#                             [--no-build] [--isa LEVEL]
# Builds neurona-bench (release), runs `neurona-bench models`, then its peers on the same thread
# count (scripts/peers/reference-models.py: PyTorch eager and onnxruntime on FashionNet and
# UNetSmall; scripts/peers/efficientnet.py: onnxruntime on EfficientNet-Lite0), then the decode
# pair of scripts/bench-decode.sh (neurona-bench decode and bench-decode-pillow.py on a 512²
# PNG and JPEG q90), and prints a Markdown table: work, both figures, the ratio, the target and
# whether it is met; figures taken under other load are flagged.
#   --threads N  threads for both sides' models (default 2); decode rows are 1 thread, per CPU-s
#   --rounds N   measure the models and the decoding N times, alternating which side goes
#                first (default 1); the table gives the medians and each ratio's median and
#                range over the rounds
#   --quick      short samples, to check the script works (figures are rough)
#   --out FILE   also write the table to FILE
#   --raw DIR    keep every raw output (JSON, logs) in DIR instead of a temporary folder
#   --no-build   use the existing .build/release/neurona-bench
#   --isa LEVEL  run both sides as on a CPU of that level (avx2 or baseline; avx512 is the
#                default where the CPU has it): NEURONA_ISA for Neurona, ATEN_CPU_CAPABILITY
#                and ONEDNN_MAX_CPU_ISA for PyTorch. onnxruntime has no such switch and runs
#                its widest kernels, so its ratios are against a peer stronger than on such a CPU
# A missing peer (torch, onnxruntime, onnx, Pillow or numpy not importable) leaves its cells
# empty and says so; Neurona's figures are printed all the same. NEURONA_BENCH overrides the
# path of the neurona-bench binary (with --no-build). Progress goes to stderr, the table to
# stdout.
set -euo pipefail
caller=$(pwd)
root=$(cd "$(dirname "$0")/.." && pwd)

threads=2 rounds=1 quick=0 out="" raw="" build=1 isa=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --threads) threads=${2:?--threads needs a number}; shift 2 ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --quick) quick=1; shift ;;
    --out) out=${2:?--out needs a file}; shift 2 ;;
    --raw) raw=${2:?--raw needs a folder}; shift 2 ;;
    --no-build) build=0; shift ;;
    --isa) isa=${2:?--isa needs a level}; shift 2 ;;
    -h | --help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-vs-peers.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "$threads" in
  '' | *[!0-9]* | 0) echo "bench-vs-peers.sh: --threads takes a count ≥ 1" >&2; exit 2 ;;
esac
case "$rounds" in
  '' | *[!0-9]* | 0) echo "bench-vs-peers.sh: --rounds takes a count ≥ 1" >&2; exit 2 ;;
esac
# Each side capped at the level (README, "Every CPU"); the children inherit it.
case "$isa" in
  '') ;;
  avx512) export NEURONA_ISA=avx512 ;;
  avx2) export NEURONA_ISA=avx2 ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 ;;
  baseline) export NEURONA_ISA=baseline ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 ;;
  *) echo "bench-vs-peers.sh: --isa takes avx512, avx2 or baseline" >&2; exit 2 ;;
esac
command -v python3 >/dev/null || { echo "bench-vs-peers.sh: needs python3" >&2; exit 1; }
case "$out" in '' | /*) ;; *) out="$caller/$out" ;; esac
case "$raw" in '' | /*) ;; *) raw="$caller/$raw" ;; esac
cd "$root"

if [ -n "$raw" ]; then
  mkdir -p "$raw"
  work=$(cd "$raw" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
helper() { python3 "$root/scripts/peer-ratios.py" "$@"; }
bench=${NEURONA_BENCH:-$root/.build/release/neurona-bench}
peers_py=$root/scripts/peers/reference-models.py
if [ "$quick" = 1 ]; then
  seconds=0.5 peer_args=(--samples 3 --sample-s 0.2) decode_seconds=0.2
else
  seconds=2 peer_args=() decode_seconds=0.6
fi
say() { printf '%s\n' "== $*" >&2; }

if [ "$build" = 1 ]; then
  say "building neurona-bench (release)"
  if ! swift build -c release --product neurona-bench >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2
    echo "bench-vs-peers.sh: release build failed" >&2
    exit 1
  fi
fi
if [ ! -x "$bench" ]; then
  echo "bench-vs-peers.sh: no $bench (build it, or drop --no-build)" >&2
  exit 1
fi

# 1. Neurona's models and the peers' on the same thread count, in `rounds` rounds that
# alternate which side goes first, so that a machine drifting over minutes biases neither.
importable() { python3 -c "import $1" >/dev/null 2>&1; }
peer_opts=() model_opts=()
sections=""
if ! importable torch || ! importable numpy; then
  peer_opts=(--peers-missing "torch or numpy not importable (pip install torch numpy)")
else
  sections=torch
  if importable onnxruntime && importable onnx; then
    sections="$sections,ort"
  else
    peer_opts=(--peers-missing "onnxruntime or onnx not importable (pip install onnxruntime onnx)")
  fi
fi
# The cores' placement before and after each side's run: a cache line's round trip between
# cores 0 and 1 (scripts/core-round-trip.c), about 60 ns on one die, 300+ across two. On the
# project's VMs it switches every few seconds to minutes, and both sides' figures move with
# it (README, "One die or two"), so each round says where each side ran.
round_trip=""
if [ "$(nproc)" -ge 2 ] && command -v cc >/dev/null &&
  cc -O2 -pthread "$root/scripts/core-round-trip.c" -o "$work/core-round-trip" 2>/dev/null; then
  round_trip="$work/core-round-trip"
fi
placement() { [ -z "$round_trip" ] || "$round_trip" | awk '{printf "%s ", $3}'; }
placements=""
placement_opts=()
# $1: the round's file suffix, $2: the side ("Neurona" or "peers"), $3: its run function. Also
# writes "round side before after" to placements.txt, from which the table pairs like with like.
run_placed() {
  local before after
  before=$(placement)
  "$3" "$1"
  after=$(placement)
  placements="$placements${1:+round ${1#-}: }$2 ${before}→ ${after}ns; "
  local round=${1#-}
  [ -z "$round_trip" ] || echo "${round:-1} $2 $before $after" >>"$work/placements.txt"
}
run_ours() { run_placed "$1" Neurona run_ours_once; }
run_peers() { run_placed "$1" peers run_peers_once; }
run_ours_once() {  # $1: the round's file suffix
  say "Neurona models, $threads thread(s)${1:+, round ${1#-}}"
  if helper load "$work/models$1.load.json" -- "$bench" models --format json \
      --threads "$threads" --seconds "$seconds" >"$work/models$1.json"; then
    model_opts+=(--models "$work/models$1.json")
    [ -n "$1" ] && [ "$1" != "-1" ] || model_opts+=(--models-load "$work/models$1.load.json")
  else
    echo "bench-vs-peers.sh: neurona-bench models failed; its cells stay empty" >&2
  fi
}
run_peers_once() {  # $1: the round's file suffix
  say "reference-models.py --threads $threads --only $sections${1:+, round ${1#-}}"
  if (cd "$work" && helper load "$work/peers$1.load.json" -- python3 "$peers_py" \
      --threads "$threads" --only "$sections" ${peer_args[@]+"${peer_args[@]}"} \
      --json "$work/peers$1.json") 2>&1 | tee "$work/peers$1.log" >&2; then
    peer_opts+=(--peers "$work/peers$1.json")
    [ -n "$1" ] && [ "$1" != "-1" ] || peer_opts+=(--peers-load "$work/peers$1.load.json")
    # EfficientNet-Lite0 on onnxruntime (our own peer script), merged into the round's file.
    if python3 "$root/scripts/peers/efficientnet.py" --threads "$threads" \
        ${peer_args[@]+"${peer_args[@]}"} --json "$work/efficientnet$1.json" >&2 2>"$work/efficientnet$1.log"; then
      python3 -c 'import json, sys
peers, extra = (json.load(open(p)) for p in sys.argv[1:3])
peers.update(extra)
json.dump(peers, open(sys.argv[1], "w"))' "$work/peers$1.json" "$work/efficientnet$1.json"
    fi
  else
    peer_opts=(--peers-missing "reference-models.py failed (its output went to stderr; --raw DIR keeps it)")
    sections=""
  fi
}
# One round of a pair: $1 the round, $2 Neurona's side, $3 the peer's, $4 1 if the peer runs.
# Neurona goes first in odd rounds, the peer in even ones; each side gets the round's file
# suffix ("-N", or none for a single round).
alternate() {
  local suffix
  suffix=$([ "$rounds" = 1 ] || echo "-$1")
  if [ "$4" != 1 ]; then
    "$2" "$suffix"
  elif [ $(($1 % 2)) = 1 ]; then
    "$2" "$suffix"
    "$3" "$suffix"
  else
    "$3" "$suffix"
    "$2" "$suffix"
  fi
}
for round in $(seq 1 "$rounds"); do
  alternate "$round" run_ours run_peers "$([ -z "$sections" ] || echo 1)"
done

# 2. Decode: the two halves of scripts/bench-decode.sh on the synthetic 512² photo, once per
# round (alternating which goes first, as the models): one pair of 0.6-s samples moved by
# 10–20 % from run to run, more than the margins it was to show.
decode_opts=()
images="$work/images"
pillow=0
if importable PIL && importable numpy; then
  python3 scripts/bench-decode-pillow.py --make-images "$images"
  pillow=1
else
  images="$root/SampleImages"
  decode_opts=(--decode-missing "Pillow or numpy not importable (pip install pillow numpy)"
    --decode-note "Decode figures are on SampleImages/, not the synthetic 512² photo.")
fi
decode_ours() {  # $1: the round's file suffix
  say "Neurona decode on $images${1:+, round ${1#-}}"
  if BENCH_SECONDS=$decode_seconds helper load "$work/decode-neurona$1.load.json" -- \
      "$bench" decode "$images" >"$work/decode-neurona$1.txt"; then
    grep '^RESULT' "$work/decode-neurona$1.txt" >&2 || true
    decode_opts+=(--decode-neurona "$work/decode-neurona$1.txt")
    [ -n "$1" ] && [ "$1" != "-1" ] ||
      decode_opts+=(--decode-neurona-load "$work/decode-neurona$1.load.json")
  else
    echo "bench-vs-peers.sh: neurona-bench decode failed; its cells stay empty" >&2
  fi
}
decode_pillow() {  # $1: the round's file suffix
  say "Pillow decode on $images${1:+, round ${1#-}}"
  if BENCH_SECONDS=$decode_seconds helper load "$work/decode-pillow$1.load.json" -- \
      python3 scripts/bench-decode-pillow.py "$images" >"$work/decode-pillow$1.txt"; then
    grep '^RESULT' "$work/decode-pillow$1.txt" >&2 || true
    decode_opts+=(--decode-pillow "$work/decode-pillow$1.txt")
    [ -n "$1" ] && [ "$1" != "-1" ] ||
      decode_opts+=(--decode-pillow-load "$work/decode-pillow$1.load.json")
  else
    decode_opts+=(--decode-missing "bench-decode-pillow.py failed")
  fi
}
for round in $(seq 1 "$rounds"); do alternate "$round" decode_ours decode_pillow "$pillow"; done

# 3. The table.
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
mode=$([ "$quick" = 1 ] && echo "quick (short samples, rough figures)" || echo full)
out_opts=()
[ -z "$out" ] || out_opts=(--out "$out")
say "table"
echo >&2
[ ! -s "$work/placements.txt" ] || placement_opts=(--placements "$work/placements.txt")
helper table --threads "$threads" ${model_opts[@]+"${model_opts[@]}"} \
  ${placement_opts[@]+"${placement_opts[@]}"} \
  ${peer_opts[@]+"${peer_opts[@]}"} "${decode_opts[@]}" \
  --header "## Neurona vs peers, $(date '+%Y-%m-%d %H:%M'), commit $commit" \
  --header "" \
  --header "Threads $threads for the models; decode on 1 thread in images per CPU-second." \
  --header "Mode: $mode. OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}." \
  --header "Neurona: $("$bench" cpu 2>/dev/null || echo 'neurona-bench cpu failed')." \
  ${isa:+--header "Capped at $isa (--isa): Neurona by NEURONA_ISA, PyTorch by ATEN_CPU_CAPABILITY and ONEDNN_MAX_CPU_ISA; onnxruntime cannot be capped and runs its widest kernels."} \
  "${out_opts[@]}"
if [ -n "$round_trip" ]; then
  note="Cores' round trip before → after each side's run (about 60 ns: one die; 300+: two): ${placements%; }."
  printf '\n%s\n' "$note"
  [ -z "$out" ] || printf '\n%s\n' "$note" >>"$out"
fi
[ -z "$raw" ] || say "raw outputs kept in $work"

#!/usr/bin/env bash
# Load benchmark of `segment serve` and `classify serve` (not a test: it prints figures).
# 512×512 JPEGs of the sample photos (Pillow) are posted by wrk, --clients connections for
# --seconds, to /v1/segment and then /v1/classify, --runs times each on one server; each run
# prints requests/s, p50/p99 latency, answers by status and socket errors, and the server's
# resident memory after it (which must not grow from run to run). Beside them, the command's
# own images/s over the same files (64 of them). Then one more segment run with bad uploads
# mixed in (scripts/bench-serve/bad-uploads.py): their statuses, and the good answers
# checked against the command's files.
#
#   scripts/bench-serve.sh [--seconds 60] [--runs 3] [--clients 16] [--no-build]
#
# Needs wrk (scripts/install-deps.sh --bench) and Python's Pillow. Loopback only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=60 runs=3 clients=16 build=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "usage: $0 [--seconds S] [--runs N] [--clients C] [--no-build]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "needs wrk: scripts/install-deps.sh --bench" >&2; exit 1; }
python3 -c "import PIL" 2>/dev/null || { echo "needs Pillow: pip install pillow" >&2; exit 1; }
if [[ $build == 1 ]]; then (cd "$root" && swift build -c release >&2); fi
bin=$root/.build/release
work=$(mktemp -d)
server=0
cleanup() {
  if [[ $server != 0 ]]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The sample photos as 512×512 JPEGs (centre square, quality 90), and 16 copies of each.
mkdir -p "$work/jpeg" "$work/many"
python3 - "$root/SampleImages" "$work/jpeg" <<'PY'
import sys, os
from PIL import Image
source, target = sys.argv[1:3]
for name in ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"):
    image = Image.open(os.path.join(source, name)).convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((512, 512), Image.LANCZOS)
    image.save(os.path.join(target, os.path.splitext(name)[0] + ".jpg"), quality=90)
PY
for f in "$work"/jpeg/*.jpg; do
  for i in $(seq 1 16); do cp "$f" "$work/many/$(basename "$f" .jpg)-$i.jpg"; done
done
files=$(ls "$work"/jpeg/*.jpg | tr '\n' ' ')
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load now: $(cut -d' ' -f1-3 /proc/loadavg)"

# The command's own rate over the same pictures (64 files, model loaded once per run).
rate() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{64 / ($end - $start):.1f}')"
}
echo "segment command: $(rate "$bin/segment" "$work/many" -o "$work/cli-out" --force) images/s"
echo "classify command: $(rate "$bin/classify" "$work/many" --format csv) images/s"

start_server() {  # task
  "$bin/$1" serve --port 0 > "$work/$1.out" &
  server=$!
  local line=""
  for _ in $(seq 1 200); do
    line=$(head -1 "$work/$1.out" 2>/dev/null || true)
    [[ -n $line ]] && break
    sleep 0.05
  done
  port=${line##*:}
  echo "$1 serve: $line (pid $server)"
}

stop_server() {
  kill -TERM "$server"
  wait "$server" && echo "exit status 0 after SIGTERM" || echo "exit status $?"
  server=0
}

rss() { awk '/VmRSS/ {print $2 / 1024 " MB"}' "/proc/$server/status"; }

load() {  # task, target
  for run in $(seq 1 "$runs"); do
    result=$(BENCH_FILES=$files BENCH_TARGET=$2 wrk -t 4 -c "$clients" -d "${seconds}s" \
      --timeout 30s -s "$root/scripts/bench-serve/post.lua" "http://127.0.0.1:$port" | grep RESULT)
    echo "$1 run $run: ${result#RESULT } rss_after=$(rss)"
  done
}

for task in segment classify; do
  start_server "$task"
  target=/v1/$task
  [[ $task == classify ]] && target="/v1/classify?top_k=5"
  echo "$task serve: rss at start $(rss)"
  load "$task" "$target"
  stop_server
done

# Bad uploads mixed in: wrk's good load, and the checker's good and bad requests at once.
"$bin/segment" "$work/jpeg" -o "$work/expected" --force
start_server segment
BENCH_FILES=$files BENCH_TARGET=/v1/segment wrk -t 4 -c "$clients" -d "${seconds}s" \
  --timeout 30s -s "$root/scripts/bench-serve/post.lua" "http://127.0.0.1:$port" \
  | grep RESULT | sed "s/^RESULT /segment with bad uploads: /" &
wrk_pid=$!
python3 "$root/scripts/bench-serve/bad-uploads.py" --port "$port" --seconds "$seconds" \
  --jpegs "$work/jpeg" --expected "$work/expected" || echo "bad-uploads check FAILED"
wait "$wrk_pid"
echo "segment serve after the bad uploads: rss $(rss)"
stop_server

-- wrk script of scripts/bench-serve.sh: POSTs the files of $BENCH_FILES (space-separated) to
-- $BENCH_TARGET in turn, counts the answers by status, and prints one RESULT line.
local files = {}
for path in string.gmatch(os.getenv("BENCH_FILES"), "%S+") do
  local handle = assert(io.open(path, "rb"))
  files[#files + 1] = handle:read("*all")
  handle:close()
end
local target = os.getenv("BENCH_TARGET")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  next_file = 0
  ok, busy, other = 0, 0, 0
end

function request()
  next_file = next_file % #files + 1
  return wrk.format("POST", target, { ["Content-Type"] = "image/jpeg" }, files[next_file])
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 503 then
    busy = busy + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_busy, total_other = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_busy = total_busy + thread:get("busy")
    total_other = total_other + thread:get("other")
  end
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d ok=%d status503=%d other_status=%d socket_errors=%d rps=%.1f "
      .. "p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, total_ok, total_busy, total_other,
    errors.connect + errors.read + errors.write + errors.timeout,
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end

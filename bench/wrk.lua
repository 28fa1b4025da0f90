-- The one wrk script for every scenario of bench/run.py, configured by environment:
--   BENCH_BODY_FILE  a JSON body to POST (a GET of the URL without it)
--   BENCH_NONCE      "1": replace __BENCH_NONCE__ in the body, on every request, with a
--                    value no other request of any run has sent (defeats response caches)
--   BENCH_RUN_ID     the run's id, part of every such value
-- done() prints one line, "BENCH_RESULT {json}", for run.py to read.

local body_file = os.getenv("BENCH_BODY_FILE")
local vary = os.getenv("BENCH_NONCE") == "1"
local run_id = os.getenv("BENCH_RUN_ID") or "run"
local body = nil

if body_file and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

local sent = 0

-- Defined only when bodies vary: without request(), wrk sends one prebuilt request.
if vary and body then
  function request()
    sent = sent + 1
    local nonce = run_id .. "-" .. thread_number .. "-" .. sent
    return wrk.format(nil, nil, nil, (body:gsub("__BENCH_NONCE__", nonce)))
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, '
      .. '"p50_us": %.0f, "p90_us": %.0f, "p99_us": %.0f, "mean_us": %.1f, '
      .. '"connect_errors": %.0f, "read_errors": %.0f, "write_errors": %.0f, '
      .. '"status_errors": %.0f, "timeouts": %.0f}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end

-- wrk script for scenario 6 (bench/load.py): GET one theory detail with a token,
-- then print the figures as one JSON line (wrk's own report has no p95).
wrk.method = "GET"
wrk.path = os.getenv("BENCH_THEORY_PATH")
wrk.headers["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")
-- as browsers, requests and httpx send it; wrk does not decode, so bytes are as sent
wrk.headers["Accept-Encoding"] = "gzip"

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout))
end

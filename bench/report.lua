-- wrk reports one JSON line: latency percentiles (ms), requests/s, bytes per request, errors.
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"median_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "requests": %d, "rps": %.1f, "bytes_per_request": %.0f, "errors": %d, "non_2xx": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.requests / seconds,
    summary.requests > 0 and summary.bytes / summary.requests or 0, errors, summary.errors.status))
end

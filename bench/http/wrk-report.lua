-- Loaded into wrk by bench/http/measure.py (wrk -s). wrk calls done() once, after the run, with
-- its own counters; this prints them as one JSON line behind a marker so that the caller can find
-- it in wrk's text output. Why not parse the text: wrk rounds it ("24.67k"), prints the error
-- kinds only when one is non-zero, and gives no p99.9.
--
-- Only done() is defined: with no request() or response() function wrk keeps sending its one
-- prebuilt request and does not call into Lua per response, so the script costs nothing while
-- the load runs.

done = function(summary, latency, requests)
  local e = summary.errors
  -- %.0f rather than %d: wrk's numbers are Lua numbers (doubles), and %.0f prints any of them.
  io.write(string.format(
    'WRK-JSON {"durationMicroseconds":%.0f,"requests":%.0f,"bytes":%.0f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
    '"latencyMicroseconds":{"min":%.0f,"mean":%.1f,"stdev":%.1f,"max":%.0f,' ..
    '"p50":%.0f,"p75":%.0f,"p90":%.0f,"p99":%.0f,"p99_9":%.0f}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end

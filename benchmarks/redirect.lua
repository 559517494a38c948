-- wrk script for benchmarks/redirect.py: every request is a new visitor (its own fm_vid cookie) with a
-- browser's User-Agent, so each creator-link click is a real, counted click (the redirect's costliest case).
-- Usage: wrk ... -s redirect.lua URL -- <path> <run tag: 8 hex digits>

local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  path, tag = args[1], args[2]
  headers = {["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"}
end

function request()
  counter = counter + 1
  -- 32 hex digits, the shape of a real visitor id: tag(8) + thread(2) + counter(22)
  headers["Cookie"] = string.format("fm_vid=%s%02x%022x", tag, id, counter)
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end

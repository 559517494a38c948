-- wrk script for benchmarks/surge.py: one request shape per run, one machine-readable result line.
-- Usage: wrk ... -s surge.lua URL -- get|htmx <path> [cookie]   (htmx adds HX-Request: true)
--        wrk ... -s surge.lua URL -- hold <path> <session cookie> <form body> <run tag>
-- "hold" sends each request with a fresh fm_cart cookie: every hold is a new shopper, so the
-- per-shopper limit is never what stops it (as in a surge of many shoppers).

local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  mode, path, cookie, body, tag = args[1], args[2], args[3], args[4], args[5]
  headers = {}
  if mode ~= "get" then headers["HX-Request"] = "true" end
  if mode == "hold" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  else
    if cookie and cookie ~= "" then headers["Cookie"] = cookie end
    fixed = wrk.format("GET", path, headers)
  end
end

function request()
  if fixed then return fixed end
  counter = counter + 1
  -- 43 characters, like secrets.token_urlsafe(32): tag(8) + thread(2) + counter(33)
  local cart = string.format("%s%02d%033d", tag, id, counter)
  headers["Cookie"] = cookie .. "; fm_cart=" .. cart
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end

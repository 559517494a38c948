-- wrk script for benchmarks/surge.py: one request shape per run, one machine-readable result line.
-- Usage: wrk ... -s surge.lua URL -- get|htmx <path> [cookie]   (htmx adds HX-Request: true)
--        wrk ... -s surge.lua URL -- hold <path> <other cookies, may be ""> <form body> <carts file prefix>
-- "hold" sends each request as a new shopper: a fresh fm_cart cookie with its add-to-cart token, read
-- from <prefix>.<thread number> ("<cart> <token>" lines, made by throughput.py with the app's key), so
-- the per-shopper limit is never what stops it (as in a surge of many shoppers).

local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  mode, path, cookie, body, carts_prefix = args[1], args[2], args[3], args[4], args[5]
  headers = {}
  if mode ~= "get" then headers["HX-Request"] = "true" end
  if mode == "hold" then
    -- every request built here, before the clock starts: the load generator's own work stays off the cores
    -- the server is measured on (it shares them)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    holds = {}
    for line in io.lines(carts_prefix .. "." .. id) do
      local cart, token = line:match("^(%S+) (%S+)$")
      headers["Cookie"] = (cookie ~= "" and cookie .. "; " or "") .. "fm_cart=" .. cart
      holds[#holds + 1] = wrk.format("POST", path, headers, body .. "&hold_token=" .. token)
    end
  else
    if cookie and cookie ~= "" then headers["Cookie"] = cookie end
    fixed = wrk.format("GET", path, headers)
  end
end

function request()
  if fixed then return fixed end
  counter = counter + 1
  return holds[(counter - 1) % #holds + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end

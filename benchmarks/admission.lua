-- wrk script for benchmarks/admission.py: a crowd of connections, each asking every `pause` ms (as the line page's
-- htmx poll does), each request as another shopper (its fm_cart cookie, from <carts file>.<thread number>).
-- Usage: wrk ... -s admission.lua URL -- <path> <htmx 0|1> <pause ms> <carts file prefix, or "">
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  path, htmx, pause, prefix = args[1], args[2] == "1", tonumber(args[3]), args[4]
  requests_ = {}
  local headers = {}
  if htmx then headers["HX-Request"] = "true" end
  headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0 admission-bench"
  if prefix and prefix ~= "" then
    for cart in io.lines(prefix .. "." .. id) do
      headers["Cookie"] = "fm_cart=" .. cart
      requests_[#requests_ + 1] = wrk.format("GET", path, headers)
    end
  else
    requests_[1] = wrk.format("GET", path, headers)
  end
  counter = 0
  math.randomseed(id * 7919)
end

function delay()
  return math.random(math.floor(pause / 2), pause + math.floor(pause / 2))  -- spread: no lockstep
end

function request()
  counter = counter + 1
  return requests_[(counter - 1) % #requests_ + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f status=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end

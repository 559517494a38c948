-- Creator links in Redis. Every function runs atomically inside Redis, one round trip per call.
-- Keys: fm:link:<code> hash (the redirect table, rebuilt from the database by sync_links); fm:links:version
-- bumped on every change to it; fm:links:ready set once a full sync has loaded every link;
-- fm:lv:<link>:<hour> visitors seen this hour;
-- fm:clicks:pending hash "<link>:<hour>" -> clicks; fm:visitors:pending set "<link>:<visitor>";
-- fm:clicks:flushing / fm:visitors:flushing / fm:clicks:batch: the batch a flush is moving to the database.
-- Whether a drop is sold out right now is the stock engine's to say (StockEngine.drop_units_left, table.py).

-- ARGV: code. The link's redirect facts, with whether its drop was sold out at the last sync (soldout) and whether
-- it has a fallback item to offer when it is (fallback).
local function lookup(a)
  local f = redis.call('HMGET', 'fm:link:' .. a[1], 'id', 'path', 'brand', 'drop', 'ends', 'open', 'active', 'window',
    'soldout', 'fallback')
  if not f[1] then return {'miss', redis.call('EXISTS', 'fm:links:ready')} end
  return {'hit', f[1], f[2], f[3], f[4] or '', f[5] or '0', f[6] or '0', f[7] or '0', f[8] or '0', f[9] or '0',
    f[10] or '0'}
end

-- ARGV: link, visitor, hour (YYYYMMDDHH), repeated. Counts each visitor once per link per hour.
-- Returns the clicks counted and the redirect table's version (it changes whenever a link does).
local function record(a)
  local counted = 0
  for i = 1, #a, 3 do
    local link, visitor, hour = a[i], a[i + 1], a[i + 2]
    local seen = 'fm:lv:' .. link .. ':' .. hour
    if redis.call('SADD', seen, visitor) == 1 then
      redis.call('EXPIRE', seen, 7200)
      redis.call('HINCRBY', 'fm:clicks:pending', link .. ':' .. hour, 1)
      redis.call('SADD', 'fm:visitors:pending', link .. ':' .. visitor)
      counted = counted + 1
    end
  end
  return {counted, redis.call('GET', 'fm:links:version') or '0'}
end

-- ARGV: a fresh batch id. Hands the pending clicks to one batch (or returns the unfinished one).
local function start_flush(a)
  if redis.call('EXISTS', 'fm:clicks:batch') == 0 then
    local any = false
    if redis.call('EXISTS', 'fm:clicks:pending') == 1 then
      redis.call('RENAME', 'fm:clicks:pending', 'fm:clicks:flushing')
      any = true
    end
    if redis.call('EXISTS', 'fm:visitors:pending') == 1 then
      redis.call('RENAME', 'fm:visitors:pending', 'fm:visitors:flushing')
      any = true
    end
    if not any then return false end
    redis.call('SET', 'fm:clicks:batch', a[1])
  end
  return redis.call('GET', 'fm:clicks:batch')
end

-- ARGV: batch id. Forgets the batch once the database holds it (only if it is still that batch).
local function finish_flush(a)
  if redis.call('GET', 'fm:clicks:batch') ~= a[1] then return 0 end
  redis.call('DEL', 'fm:clicks:flushing', 'fm:visitors:flushing', 'fm:clicks:batch')
  return 1
end

local ops = {lookup = lookup, record = record, start_flush = start_flush, finish_flush = finish_flush}
local op = table.remove(ARGV, 1)
return ops[op](ARGV)

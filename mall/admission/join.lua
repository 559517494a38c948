-- A place in a drop's line, atomically. ARGV: drop, cart, email ('' for none), ip, now_ms, starts_ms, ip_limit,
-- keep_until_ms. Before the start a place goes into the pre-queue (shuffled at the start), after it to the back of
-- the line. Replies: {'ok', 'pre'|'line'}, {'already'}, {'email_taken'}, {'ip_limit'}, {'shuffle_first'}.
local d, cart, email, ip = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now, starts, keep = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[8]
local k = 'fm:q:' .. d .. ':'
if redis.call('ZSCORE', k .. 'line', cart) or redis.call('ZSCORE', k .. 'pre', cart)
  or redis.call('HEXISTS', k .. 'adm', cart) == 1 then
  return {'already'}
end
if email ~= '' then
  local owner = redis.call('HGET', k .. 'email', email)
  if owner and owner ~= cart then return {'email_taken'} end
end
local place
if now < starts then
  place = 'pre'
elseif redis.call('EXISTS', k .. 'shuffled') == 0 then
  return {'shuffle_first'}
else
  place = 'line'
end
local ipkey = k .. 'ip:' .. ip
if redis.call('INCR', ipkey) > tonumber(ARGV[7]) then
  redis.call('DECR', ipkey)
  return {'ip_limit'}
end
if place == 'pre' then
  redis.call('ZADD', k .. 'pre', now, cart)
else
  redis.call('ZADD', k .. 'line', redis.call('INCR', k .. 'seq'), cart)
end
if email ~= '' then redis.call('HSET', k .. 'email', email, cart) end
redis.call('HSET', k .. 'joined', cart, string.format('%d', math.max(now, starts)))
for _, name in ipairs({'line', 'pre', 'seq', 'email', 'joined'}) do redis.call('PEXPIREAT', k .. name, keep) end
redis.call('PEXPIREAT', ipkey, keep)
redis.call('SADD', 'fm:q:lines', d)
return {'ok', place}

-- Flashmall stock engine. Every function runs atomically inside Redis.
-- Run with EVALSHA (mall.redis_setup.LuaScript): its whole top level runs on every call, so add-to-cart is
-- dispatched as soon as it is defined. HOLD and hold_string(h) come first, made from records.HOLD_FIELDS (engine.py).
-- Keys: fm:drop:<d> config hash (variants: the drop's variant ids); fm:avail:<v>:<h> free units;
--   fm:held:<v>:<h> held units; fm:waiting:<v> shoppers on the variant's waitlist; fm:back:<v>:<h> units that
--   came back while shoppers wait, kept for their offers (see give_back and the waitlist operations at the end);
-- fm:heldtil zset: per variant, the latest expiry any of its holds had (raised only: an upper bound);
-- fm:h:<id> one hold, a string of HOLD's fields separated by spaces (see get_hold); fm:exp zset of active holds by
--   expiry; fm:claimed zset of holds inside a checkout;
-- fm:shopper:<token> one hash per shopper: h:<id> its holds, l:<d> units held+bought in drop d, n:<d> holds placed
--   in d, tw/tn its add-to-cart tries (window end ms, tries), until: when it expires (ms);
--   fm:gone:<token> expired holds to show in the cart; fm:rl:ip:<ip> add-to-cart tries from one IP in the current
--   window.
-- fm:act:<d> activity per minute (<kind>:<epoch minute>: v views, h holds, hx units held beyond one per hold,
--   x/xu expired holds/units, r released); fm:actors:<d> holds placed per IP (ip:<ip>), expired unbought per IP and
--   cart (xip:, xcart:), and holds placed per cart (cart:<token>), copied from its hash when one of them expires.
--   See activity.py.
-- A one-unit hold, the surge's hot path, makes 15 Redis calls: one hash per shopper (not four keys) is why.

local ACTIVITY_KEEP_MS = 7 * 86400000

-- Numbers reach redis.call as strings made here (or passed through as they came): Redis 7.0 formats a Lua number
-- argument with "%.17g" and Lua's tostring and .. use "%.14g", both glibc's multi-precision float printing, which
-- a callgrind count of a hold showed as its biggest single cost. '%d' prints an integer.
local function int(n) return string.format('%d', n) end

-- A hold is one string, not a hash: writing a 10-field hash cost a hold ~16,000 more instructions (lua_cost.py).
-- Every field is a token without spaces (cart tokens, checkout keys and IPs have none); claimed_by is '-' until a
-- checkout claims it, extended '0' or '1'.

-- the hold as a table of HOLD's fields, or nil
local function get_hold(id)
  local s = redis.call('GET', 'fm:h:' .. id)
  if not s then return nil end
  local h, i = {}, 0
  for v in string.gmatch(s, '%S+') do
    i = i + 1
    h[HOLD[i]] = v
  end
  return h
end

local function put_hold(id, h)
  redis.call('SET', 'fm:h:' .. id, hold_string(h))
end

local function delete_hold(id)
  redis.call('DEL', 'fm:h:' .. id)
end

-- counts a hold placed (the expiry is set when a minute's first hold creates its field: once a minute, not on
-- every hold)
local function note_hold(drop, minute, qty, ip, keep_until)
  local act, actors = 'fm:act:' .. drop, 'fm:actors:' .. drop
  local first_of_minute = redis.call('HINCRBY', act, 'h:' .. minute, '1') == 1
  if qty > 1 then redis.call('HINCRBY', act, 'hx:' .. minute, int(qty - 1)) end
  redis.call('HINCRBY', actors, 'ip:' .. ip, '1')
  if first_of_minute then
    redis.call('PEXPIREAT', act, keep_until)
    redis.call('PEXPIREAT', actors, keep_until)
  end
end

-- counts a hold that expired unbought; nothing is created for a drop whose counters are gone (Redis lost them)
local function note_expiry(drop, minute, qty, ip, cart)
  local act, actors = 'fm:act:' .. drop, 'fm:actors:' .. drop
  if redis.call('EXISTS', act) == 0 then return end
  redis.call('HINCRBY', act, 'x:' .. minute, '1')
  redis.call('HINCRBY', act, 'xu:' .. minute, qty)
  redis.call('HINCRBY', actors, 'xip:' .. ip, '1')
  local expired = redis.call('HINCRBY', actors, 'xcart:' .. cart, '1')
  local placed = tonumber(redis.call('HGET', 'fm:shopper:' .. cart, 'n:' .. drop) or '0')
  redis.call('HSET', actors, 'cart:' .. cart, int(math.max(placed, expired)))
end

local function note_release(drop, minute)
  local act = 'fm:act:' .. drop
  if redis.call('EXISTS', act) == 1 then redis.call('HINCRBY', act, 'r:' .. minute, '1') end
end

-- a cart's units in a drop went down (a hold ended unbought, an order line was cancelled); q: units, a string
local function units_back(cart, drop, q)
  local key, field = 'fm:shopper:' .. cart, 'l:' .. drop
  if redis.call('HEXISTS', key, field) == 0 then return 0 end
  if redis.call('HINCRBY', key, field, '-' .. q) <= 0 then redis.call('HDEL', key, field) end
  return 1
end

-- Units back from a hold or a cancelled line: while shoppers wait for the variant they go to its waitlist pool, to
-- be offered in turn (mall/waitlist), not to the crowd. Nothing for a row not loaded: there the database decides.
local function give_back(variant, hub, q)
  local avail = 'fm:avail:' .. variant .. ':' .. hub
  if redis.call('EXISTS', avail) == 0 then return end
  if tonumber(redis.call('GET', 'fm:waiting:' .. variant) or '0') > 0 then
    redis.call('INCRBY', 'fm:back:' .. variant .. ':' .. hub, q)
  else
    redis.call('INCRBY', avail, q)
  end
end

-- h: the hold when the caller read it already
local function release(id, reason, now, h)
  h = h or get_hold(id)
  if not h then
    redis.call('ZREM', 'fm:exp', id)
    return 0
  end
  local q = h.qty
  local held = 'fm:held:' .. h.variant .. ':' .. h.hub
  give_back(h.variant, h.hub, q)
  if redis.call('EXISTS', held) == 1 then redis.call('DECRBY', held, q) end
  units_back(h.cart, h.drop, q)
  redis.call('HDEL', 'fm:shopper:' .. h.cart, 'h:' .. id)
  if reason == 'expired' then
    redis.call('HSET', 'fm:gone:' .. h.cart, id, h.drop .. ':' .. h.variant .. ':' .. q)
    redis.call('EXPIRE', 'fm:gone:' .. h.cart, '86400')
    note_expiry(h.drop, int(math.floor(tonumber(h.expires) / 60000)), q, h.ip, h.cart)
  elseif reason == 'released' and now then
    note_release(h.drop, int(math.floor(now / 60000)))
  end
  delete_hold(id)
  redis.call('ZREM', 'fm:exp', id)
  redis.call('ZREM', 'fm:claimed', id)
  return tonumber(q)
end

-- now (ms) and n as strings
local function reclaim(now, n)
  local ids = redis.call('ZRANGEBYSCORE', 'fm:exp', '-inf', now, 'LIMIT', '0', n)
  for _, id in ipairs(ids) do release(id, 'expired') end
  return #ids
end

local function over_rate(key, limit, window_ms)
  if limit <= 0 then return 0 end
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, window_ms) end
  if n > limit then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then ttl = window_ms end
    return ttl
  end
  return 0
end

local function tier_percent(tiers, now)
  if not tiers or tiers == '' then return 0 end
  for from, till, pct in string.gmatch(tiers, '(%d+),(%d+),(%d+);') do
    if tonumber(from) <= now and now < tonumber(till) then return tonumber(pct) end
  end
  return 0
end

-- a shopper's add-to-cart try, counted in its record `c` (a fixed window, as over_rate): the fields to write,
-- or the wait
local function cart_try(c, now, limit, window_ms)
  if limit <= 0 then return {}, 0 end
  local window_end, tries = tonumber(c[1]) or 0, tonumber(c[2]) or 0
  if now >= window_end then window_end, tries = now + window_ms, 0 end
  if tries >= limit then return {}, window_end - now end
  return {'tw', int(window_end), 'tn', int(tries + 1)}, 0
end

-- writes a shopper's cart hash; it lives until `keep_until` (or any later time it had), or with tries only, to the
-- end of their window
local function save_cart(key, c, fields, keep_until)
  if #fields == 0 then return end
  local had_until = tonumber(c[5])
  local longer = keep_until and (not had_until or keep_until > had_until)
  if longer then
    keep_until = int(keep_until)
    fields[#fields + 1] = 'until'
    fields[#fields + 1] = keep_until
  end
  redis.call('HSET', key, unpack(fields))
  if longer then
    redis.call('PEXPIREAT', key, keep_until)
  elseif not had_until then
    redis.call('PEXPIREAT', key, fields[2])  -- fields[2]: the tries window's end
  end
end

-- ARGV: drop, variant, cart, qty, now_ms, ip, cart_limit, ip_limit, window_ms
-- (`s + 0` reads a number that is surely there once; Lua 5.1's tonumber(s) parses it twice)
local function place_hold(a)
  local drop, variant, cart, qty, now, window_ms = a[1], a[2], a[3], a[4] + 0, a[5] + 0, a[9] + 0
  local ckey = 'fm:shopper:' .. cart
  local c = redis.call('HMGET', ckey, 'tw', 'tn', 'l:' .. drop, 'n:' .. drop, 'until')
  local fields, wait = cart_try(c, now, a[7] + 0, window_ms)
  if wait == 0 then wait = over_rate('fm:rl:ip:' .. a[6], a[8] + 0, window_ms) end
  local function refuse(reason, extra)  -- a refused try still counts (and a 'reload' retry does not count again)
    save_cart(ckey, c, fields)
    if reason == 'reload' then return {'reload'} end
    return {'err', reason, extra}
  end
  if wait > 0 then return refuse('slow_down', wait) end
  local f = redis.call('HMGET', 'fm:drop:' .. drop, 'starts', 'ends', 'hold_ms', 'limit', 'open', 'tiers',
    'v:' .. variant .. ':price', 'v:' .. variant .. ':hubs')
  if not f[1] then return refuse('reload') end
  if not f[7] then return refuse('not_in_drop', 0) end
  local ends = f[2] + 0
  if f[5] ~= '1' or now < f[1] + 0 or now >= ends then return refuse('not_live', 0) end
  reclaim(a[5], '25')
  local used, limit = tonumber(c[3]) or 0, f[4] + 0
  if used + qty > limit then return refuse('limit', limit - used) end
  local hubs, keys = {}, {}
  for hub in string.gmatch(f[8], '(%d+)') do
    hubs[#hubs + 1] = hub
    keys[#keys + 1] = 'fm:avail:' .. variant .. ':' .. hub
  end
  if #keys == 0 then return refuse('sold_out', 0) end
  local chosen, total = nil, 0
  for i, left in ipairs(redis.call('MGET', unpack(keys))) do
    if not left then return refuse('reload') end
    left = left + 0
    total = total + left
    if not chosen and left >= qty then chosen = hubs[i] end
  end
  if not chosen then return refuse('sold_out', total) end
  local price = f[7] + 0
  local pct = tier_percent(f[6], now)
  price = price - math.floor((price * pct + 50) / 100)
  local expires = now + f[3]
  local expires_s = int(expires)
  local id = int(redis.call('INCR', 'fm:seq'))
  redis.call('DECRBY', 'fm:avail:' .. variant .. ':' .. chosen, a[4])
  redis.call('INCRBY', 'fm:held:' .. variant .. ':' .. chosen, a[4])
  put_hold(id, {drop = drop, variant = variant, hub = chosen, qty = a[4], cart = cart, price = int(price),
    expires = expires_s, hold_ms = f[3], ip = a[6], state = 'active', extended = '0', claimed_by = '-'})
  redis.call('ZADD', 'fm:exp', expires_s, id)
  redis.call('ZADD', 'fm:heldtil', 'GT', expires_s, variant)
  local n = #fields
  fields[n + 1], fields[n + 2] = 'h:' .. id, '1'
  fields[n + 3], fields[n + 4] = 'l:' .. drop, int(used + qty)
  fields[n + 5], fields[n + 6] = 'n:' .. drop, int((tonumber(c[4]) or 0) + 1)
  save_cart(ckey, c, fields, ends + 86400000)
  note_hold(drop, int(math.floor(now / 60000)), qty, a[6], int(ends + ACTIVITY_KEEP_MS))
  return {'ok', id, chosen, price, expires, total - qty}
end

-- Add-to-cart, the surge's hot path, is dispatched before the other operations are even defined.
if ARGV[1] == 'place_hold' then table.remove(ARGV, 1) return place_hold(ARGV) end

-- ARGV: cart, id, reason, now_ms
local function release_hold(a)
  local h = get_hold(a[2])
  if not h or h.cart ~= a[1] or h.state ~= 'active' then return 0 end
  return release(a[2], a[3], tonumber(a[4]), h)
end

-- ARGV: cart, id, now_ms : once per hold, give it a fresh hold length from now
local function extend_hold(a)
  local h = get_hold(a[2])
  if not h or h.cart ~= a[1] or h.state ~= 'active' then return {'err', 'gone'} end
  local now = tonumber(a[3])
  if tonumber(h.expires) <= now then release(a[2], 'expired', nil, h); return {'err', 'expired'} end
  if h.extended == '1' then return {'err', 'already_extended', tonumber(h.expires)} end
  h.expires, h.extended = int(math.max(tonumber(h.expires), now + tonumber(h.hold_ms))), '1'
  put_hold(a[2], h)
  redis.call('ZADD', 'fm:exp', h.expires, a[2])
  redis.call('ZADD', 'fm:heldtil', 'GT', h.expires, h.variant)
  return {'ok', tonumber(h.expires)}
end

-- ARGV: cart, id, new_qty, now_ms, limit
local function resize_hold(a)
  local h = get_hold(a[2])
  if not h or h.cart ~= a[1] or h.state ~= 'active' then return {'err', 'gone', 0} end
  local now, want = tonumber(a[4]), tonumber(a[3])
  if tonumber(h.expires) <= now then release(a[2], 'expired', nil, h); return {'err', 'expired', 0} end
  local delta = want - tonumber(h.qty)
  local cart, used_field = 'fm:shopper:' .. a[1], 'l:' .. h.drop
  local avail = 'fm:avail:' .. h.variant .. ':' .. h.hub
  if delta > 0 then
    local used = tonumber(redis.call('HGET', cart, used_field) or '0')
    if used + delta > tonumber(a[5]) then return {'err', 'limit', tonumber(a[5]) - used} end
    local left = tonumber(redis.call('GET', avail) or '-1')
    if left < delta then return {'err', 'sold_out', math.max(left, 0)} end
  end
  if delta < 0 then give_back(h.variant, h.hub, int(-delta)) else redis.call('DECRBY', avail, int(delta)) end
  redis.call('INCRBY', 'fm:held:' .. h.variant .. ':' .. h.hub, int(delta))
  if redis.call('HINCRBY', cart, used_field, int(delta)) <= 0 then redis.call('HDEL', cart, used_field) end
  h.qty = int(want)
  put_hold(a[2], h)
  return {'ok', want}
end

-- ARGV: cart, checkout_key, now_ms, id1, id2, ... : all or nothing
local function claim_holds(a)
  local now, bad, holds = tonumber(a[3]), {}, {}
  for i = 4, #a do
    local h = get_hold(a[i])
    holds[i] = h
    local mine_again = h and h.state == 'claimed' and h.claimed_by == a[2]
    if not h or h.cart ~= a[1] or not (mine_again or (h.state == 'active' and tonumber(h.expires) > now)) then
      table.insert(bad, a[i])
    end
  end
  if #bad > 0 then
    reclaim(a[3], '50')
    return {'err', unpack(bad)}
  end
  for i = 4, #a do
    local h = holds[i]
    h.state, h.claimed_by = 'claimed', a[2]
    put_hold(a[i], h)
    redis.call('ZREM', 'fm:exp', a[i])
    redis.call('ZADD', 'fm:claimed', a[3], a[i])
  end
  return {'ok'}
end

-- ARGV: checkout_key, id1, ... : the sale is in the database; the held units are now sold units
local function finalize_holds(a)
  local n = 0
  for i = 2, #a do
    local h = get_hold(a[i])
    if h and h.claimed_by == a[1] then
      local held = 'fm:held:' .. h.variant .. ':' .. h.hub
      if redis.call('EXISTS', held) == 1 then redis.call('DECRBY', held, h.qty) end
      redis.call('HDEL', 'fm:shopper:' .. h.cart, 'h:' .. a[i])
      delete_hold(a[i])
      redis.call('ZREM', 'fm:claimed', a[i])
      n = n + 1
    end
  end
  return n
end

-- ARGV: checkout_key, now_ms, id1, ... : the sale did not happen; holds go back to the cart (or expire)
local function unclaim_holds(a)
  local now = tonumber(a[2])
  for i = 3, #a do
    local h = get_hold(a[i])
    if h and h.claimed_by == a[1] and h.state == 'claimed' then
      h.state, h.claimed_by = 'active', '-'
      put_hold(a[i], h)
      redis.call('ZREM', 'fm:claimed', a[i])
      redis.call('ZADD', 'fm:exp', h.expires, a[i])
      if tonumber(h.expires) <= now then release(a[i], 'expired', nil, h) end
    end
  end
  return 1
end

-- ARGV: now_ms, batch
local function sweep_expired(a)
  return reclaim(a[1], a[2])
end

-- ARGV: cart, drop, qty : an order line was cancelled; the shopper may hold these units again
local function cart_units_back(a)
  return units_back(a[1], a[2], a[3])
end

-- ARGV: variant, hub, qty : a brand writes off units; only units nobody holds can go
local function take_available(a)
  local key = 'fm:avail:' .. a[1] .. ':' .. a[2]
  local left = redis.call('GET', key)
  if not left then return 2 end
  if tonumber(left) < tonumber(a[3]) then return 0 end
  redis.call('DECRBY', key, tonumber(a[3]))
  return 1
end

-- ARGV: cart, id, new_hub, now_ms : an active hold's units move to another hub of its drop that has as many free
local function move_hold(a)
  local h = get_hold(a[2])
  if not h or h.cart ~= a[1] or h.state ~= 'active' then return {'err', 'gone'} end
  if tonumber(h.expires) <= tonumber(a[4]) then release(a[2], 'expired', nil, h); return {'err', 'expired'} end
  if h.hub == a[3] then return {'ok', h.hub} end
  local listed = false
  for hub in string.gmatch(redis.call('HGET', 'fm:drop:' .. h.drop, 'v:' .. h.variant .. ':hubs') or '', '(%d+)') do
    if hub == a[3] then listed = true end
  end
  if not listed then return {'err', 'not_in_drop'} end
  local q = h.qty
  local to_avail = 'fm:avail:' .. h.variant .. ':' .. a[3]
  local left = redis.call('GET', to_avail)
  if not left or tonumber(left) < tonumber(q) then return {'err', 'sold_out'} end
  redis.call('DECRBY', to_avail, q)
  redis.call('INCRBY', 'fm:held:' .. h.variant .. ':' .. a[3], q)
  local from_avail, from_held = 'fm:avail:' .. h.variant .. ':' .. h.hub, 'fm:held:' .. h.variant .. ':' .. h.hub
  if redis.call('EXISTS', from_avail) == 1 then redis.call('INCRBY', from_avail, q) end
  if redis.call('EXISTS', from_held) == 1 then redis.call('DECRBY', from_held, q) end
  h.hub = a[3]
  put_hold(a[2], h)
  return {'ok', a[3]}
end

-- ARGV: variant, hub, unsold (on_hand - sold read from the database) : repair drift after Redis lost data.
-- Skipped while any hold of this stock row is inside a checkout, when the database read may be stale.
local function reconcile(a)
  local avail = 'fm:avail:' .. a[1] .. ':' .. a[2]
  if redis.call('EXISTS', avail) == 0 then return 0 end
  for _, id in ipairs(redis.call('ZRANGE', 'fm:claimed', 0, -1)) do
    local h = get_hold(id)
    if h and h.variant == a[1] and h.hub == a[2] then return 0 end
  end
  local held = tonumber(redis.call('GET', 'fm:held:' .. a[1] .. ':' .. a[2]) or '0')
  held = held + tonumber(redis.call('GET', 'fm:back:' .. a[1] .. ':' .. a[2]) or '0')  -- kept for the waitlist
  local want = tonumber(a[3]) - held
  local have = tonumber(redis.call('GET', avail))
  if want == have then return 0 end
  redis.call('SET', avail, want)
  return want - have
end

-- ARGV: drop : units free to hold right now over the drop's items and hubs, or -1 when the drop is not loaded
local function drop_units_left(a)
  local cfg = 'fm:drop:' .. a[1]
  local variants = redis.call('HGET', cfg, 'variants')
  if not variants or variants == '' then return -1 end
  local total = 0
  for v in string.gmatch(variants, '(%d+)') do
    for hub in string.gmatch(redis.call('HGET', cfg, 'v:' .. v .. ':hubs') or '', '(%d+)') do
      local left = redis.call('GET', 'fm:avail:' .. v .. ':' .. hub)
      if not left then return -1 end
      total = total + math.max(tonumber(left), 0)
    end
  end
  return total
end

-- ARGV: drop, now_ms, soon_ms: the drop's items' units in one read: {free, held (waitlist pool included), units in
-- active holds that end before now + soon_ms (they may come back)}; soon_ms < 0 skips that count; {-1}: not loaded
local function drop_units_now(a)
  local cfg = 'fm:drop:' .. a[1]
  local variants = redis.call('HGET', cfg, 'variants')
  if not variants or variants == '' then return {-1} end
  local free, held, items = 0, 0, {}
  for v in string.gmatch(variants, '(%d+)') do
    items[v] = true
    for hub in string.gmatch(redis.call('HGET', cfg, 'v:' .. v .. ':hubs') or '', '(%d+)') do
      local left = redis.call('GET', 'fm:avail:' .. v .. ':' .. hub)
      if not left then return {-1} end
      free = free + math.max(tonumber(left), 0)
      held = held + tonumber(redis.call('GET', 'fm:held:' .. v .. ':' .. hub) or '0')
        + tonumber(redis.call('GET', 'fm:back:' .. v .. ':' .. hub) or '0')
    end
  end
  local expiring, soon = 0, tonumber(a[3])
  if soon >= 0 then
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', 'fm:exp', '-inf', int(tonumber(a[2]) + soon))) do
      local h = get_hold(id)
      if h and h.drop == a[1] and h.state == 'active' and items[h.variant] then expiring = expiring + tonumber(h.qty) end
    end
  end
  return {free, held, expiring}
end

-- Waitlist operations (mall/waitlist). fm:waiting:<v> counts the variant's waiting shoppers; while it is above 0,
-- give_back keeps returned units in fm:back:<v>:<h>, and each offer moves one of them into a hold for a fresh cart.

-- the pool's units go on sale (nobody waits any more); hubs: a string of hub ids
local function pool_to_crowd(variant, hubs)
  local moved = 0
  for hub in string.gmatch(hubs, '(%d+)') do
    local back, avail = 'fm:back:' .. variant .. ':' .. hub, 'fm:avail:' .. variant .. ':' .. hub
    local n = tonumber(redis.call('GET', back) or '0')
    if n > 0 and redis.call('EXISTS', avail) == 1 then
      redis.call('INCRBY', avail, int(n))
      moved = moved + n
    end
    redis.call('DEL', back)
  end
  return moved
end

local function one_less_waiting(variant, hubs)
  local key = 'fm:waiting:' .. variant
  if tonumber(redis.call('GET', key) or '0') > 1 then
    redis.call('DECR', key)
    return 0
  end
  redis.call('DEL', key)
  return pool_to_crowd(variant, hubs)
end

-- ARGV: variant, waiting (the database's count, this shopper included) : a shopper joined the waitlist
local function waitlist_joined(a)
  local key = 'fm:waiting:' .. a[1]
  if redis.call('EXISTS', key) == 0 then
    redis.call('SET', key, a[2])
    return tonumber(a[2])
  end
  return redis.call('INCR', key)
end

-- ARGV: variant, hubs (comma-separated) : a waiting shopper left; the last one's leaving frees the pool
local function waitlist_left(a)
  return one_less_waiting(a[1], a[2])
end

-- ARGV: variant, waiting, hubs : the database's count of waiting shoppers, set by the waitlist job (it heals a count
-- that drifted in a race or was lost); at 0 (nobody waits, or the drop ended) the pool goes on sale
local function waitlist_recount(a)
  if tonumber(a[2]) > 0 then
    redis.call('SET', 'fm:waiting:' .. a[1], a[2])
    return 0
  end
  redis.call('DEL', 'fm:waiting:' .. a[1])
  return pool_to_crowd(a[1], a[3])
end

-- ARGV: drop, variant, cart, hold_ms, now_ms : the next waiting shopper's offer, a one-unit hold from the pool in a
-- fresh cart, at the drop's price now; {'err', 'empty'} when no unit waits in the pool
local function offer_from_pool(a)
  local drop, variant, cart, now = a[1], a[2], a[3], a[5] + 0
  local f = redis.call('HMGET', 'fm:drop:' .. drop, 'ends', 'tiers', 'v:' .. variant .. ':price',
    'v:' .. variant .. ':hubs', 'open')
  if not f[1] then return {'reload'} end
  if not f[3] then return {'err', 'not_in_drop'} end
  if f[5] ~= '1' or now >= f[1] + 0 then return {'err', 'not_live'} end
  local chosen
  for hub in string.gmatch(f[4], '(%d+)') do
    if not chosen and tonumber(redis.call('GET', 'fm:back:' .. variant .. ':' .. hub) or '0') > 0 then chosen = hub end
  end
  if not chosen then return {'err', 'empty'} end
  local price = f[3] + 0
  price = price - math.floor((price * tier_percent(f[2], now) + 50) / 100)
  local expires = int(now + a[4])
  local id = int(redis.call('INCR', 'fm:seq'))
  redis.call('DECR', 'fm:back:' .. variant .. ':' .. chosen)
  redis.call('INCR', 'fm:held:' .. variant .. ':' .. chosen)
  put_hold(id, {drop = drop, variant = variant, hub = chosen, qty = '1', cart = cart, price = int(price),
    expires = expires, hold_ms = a[4], ip = 'waitlist', state = 'active', extended = '0', claimed_by = '-'})
  redis.call('ZADD', 'fm:exp', expires, id)
  local ckey, keep_until = 'fm:shopper:' .. cart, int(f[1] + 86400000)
  redis.call('HSET', ckey, 'h:' .. id, '1', 'l:' .. drop, '1', 'n:' .. drop, '1', 'until', keep_until)
  redis.call('PEXPIREAT', ckey, keep_until)
  one_less_waiting(variant, f[4])
  return {'ok', id, chosen, price, expires}
end

-- ARGV: from_cart, to_cart, id : an offer's hold joins the cart of the browser that opened it (units stay held)
local function hand_over_hold(a)
  local h = get_hold(a[3])
  if not h or h.cart ~= a[1] or h.state ~= 'active' then return 0 end
  if a[1] == a[2] then return 1 end
  local from, to = 'fm:shopper:' .. a[1], 'fm:shopper:' .. a[2]
  local keep_until = redis.call('HGET', from, 'until')
  units_back(a[1], h.drop, h.qty)
  redis.call('HDEL', from, 'h:' .. a[3])
  redis.call('HSET', to, 'h:' .. a[3], '1')
  redis.call('HINCRBY', to, 'l:' .. h.drop, h.qty)
  local had_until = tonumber(redis.call('HGET', to, 'until') or '0')
  if keep_until and tonumber(keep_until) > had_until then
    redis.call('HSET', to, 'until', keep_until)
    redis.call('PEXPIREAT', to, keep_until)
  end
  h.cart = a[2]
  put_hold(a[3], h)
  return 1
end

-- ARGV: variant, hub, qty : the database took units back (a cancelled line, a restock): holdable, or the waitlist's
local function units_returned(a)
  give_back(a[1], a[2], a[3])
  return 1
end

local handlers = {
  waitlist_joined = waitlist_joined, waitlist_left = waitlist_left, waitlist_recount = waitlist_recount,
  offer_from_pool = offer_from_pool, units_returned = units_returned, hand_over_hold = hand_over_hold,
  drop_units_left = drop_units_left, drop_units_now = drop_units_now,
  reconcile = reconcile,
  take_available = take_available, cart_units_back = cart_units_back,
  place_hold = place_hold, release_hold = release_hold, extend_hold = extend_hold, resize_hold = resize_hold,
  claim_holds = claim_holds, finalize_holds = finalize_holds, unclaim_holds = unclaim_holds,
  sweep_expired = sweep_expired, move_hold = move_hold,
}
-- ARGV: checkout_key, now_ms, id1, ... : a card payment's window closed unpaid; its claimed holds end and their
-- units go back on sale for everyone (not back to the shopper's cart, as unclaim_holds does)
local function release_claimed_holds(a)
  local n = 0
  for i = 3, #a do
    local h = get_hold(a[i])
    if h and h.claimed_by == a[1] and h.state == 'claimed' then
      release(a[i], 'released', tonumber(a[2]), h)
      n = n + 1
    end
  end
  return n
end
handlers.release_claimed_holds = release_claimed_holds

-- ARGV: drop, variant, cart, hold_ms, now_ms : a draw winner's one-unit hold from the free units, in a fresh cart, for
-- the draw's purchase window, at the drop's price now. Only in a drop sold by draw (config open = 'draw', where
-- place_hold refuses everyone), and only while it is live.
local function reserve_for_draw(a)
  local drop, variant, cart, now = a[1], a[2], a[3], a[5] + 0
  local f = redis.call('HMGET', 'fm:drop:' .. drop, 'starts', 'ends', 'tiers', 'v:' .. variant .. ':price',
    'v:' .. variant .. ':hubs', 'open')
  if not f[1] then return {'reload'} end
  if not f[4] then return {'err', 'not_in_drop', 0} end
  if f[6] ~= 'draw' or now < f[1] + 0 or now >= f[2] + 0 then return {'err', 'not_live', 0} end
  reclaim(a[5], '25')
  local hubs, keys = {}, {}
  for hub in string.gmatch(f[5], '(%d+)') do
    hubs[#hubs + 1] = hub
    keys[#keys + 1] = 'fm:avail:' .. variant .. ':' .. hub
  end
  if #keys == 0 then return {'err', 'sold_out', 0} end
  local chosen, total = nil, 0
  for i, left in ipairs(redis.call('MGET', unpack(keys))) do
    if not left then return {'reload'} end
    left = left + 0
    total = total + left
    if not chosen and left >= 1 then chosen = hubs[i] end
  end
  if not chosen then return {'err', 'sold_out', total} end
  local price = f[4] + 0
  price = price - math.floor((price * tier_percent(f[3], now) + 50) / 100)
  local expires = int(now + a[4])
  local id = int(redis.call('INCR', 'fm:seq'))
  redis.call('DECR', 'fm:avail:' .. variant .. ':' .. chosen)
  redis.call('INCR', 'fm:held:' .. variant .. ':' .. chosen)
  put_hold(id, {drop = drop, variant = variant, hub = chosen, qty = '1', cart = cart, price = int(price),
    expires = expires, hold_ms = a[4], ip = '-', state = 'active', extended = '0', claimed_by = '-'})
  redis.call('ZADD', 'fm:exp', expires, id)
  redis.call('ZADD', 'fm:heldtil', 'GT', expires, variant)
  local ckey, keep_until = 'fm:shopper:' .. cart, int(f[2] + 86400000)
  redis.call('HSET', ckey, 'h:' .. id, '1', 'l:' .. drop, '1', 'n:' .. drop, '1', 'until', keep_until)
  redis.call('PEXPIREAT', ckey, keep_until)
  return {'ok', id, chosen, int(price), expires, int(total - 1)}
end
handlers.reserve_for_draw = reserve_for_draw

-- args: the operation's name, then its own arguments
local function run(args)
  local handler = handlers[args[1]]
  if not handler then return redis.error_reply('unknown stock operation ' .. tostring(args[1])) end
  table.remove(args, 1)
  return handler(args)
end
return run(ARGV)

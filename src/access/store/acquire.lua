-- gw: take one request and ARGV[3] tokens from a scope's per-minute buckets, atomically.
-- GCRA on the theoretical arrival time (TAT, microseconds), both buckets checked before either is
-- taken, with Redis's clock so replicas with skewed clocks agree.
-- KEYS: 1 request TAT, 2 token TAT, 3 token balance (credit > 0, debt < 0, from settled replies)
-- ARGV: 1 requests per minute (0: none), 2 tokens per minute (0: none), 3 estimated tokens
-- Returns {granted, bucket (1 requests, 2 tokens), retry_us, too_large,
--          req_remaining, req_reset_us, tok_remaining, tok_reset_us}
local PERIOD = 60000000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local req_limit = tonumber(ARGV[1])
local tok_limit = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])

local function tat(key)
  local v = tonumber(redis.call('GET', key) or '0')
  if v < now then return now end
  return v
end

-- Remaining cells and time until full, for a bucket whose TAT is `at`.
local function view(limit, at)
  local used = at - now
  local remaining = math.floor((PERIOD - used) * limit / PERIOD)
  if remaining < 0 then remaining = 0 end
  if remaining > limit then remaining = limit end
  return remaining, used
end

local req_tat, req_new, tok_tat, tok_new = 0, 0, 0, 0
local deny, retry, too_large = 0, 0, 0
if req_limit > 0 then
  req_tat = tat(KEYS[1])
  req_new = req_tat + PERIOD / req_limit
  if req_new - PERIOD > now then
    deny, retry = 1, req_new - PERIOD - now
  end
end

-- Credit never exceeds one minute's quota: an idle scope's bucket refills anyway.
local balance = tonumber(redis.call('GET', KEYS[3]) or '0')
if tok_limit > 0 and balance > tok_limit then balance = tok_limit end
local need = tokens - balance
if tok_limit > 0 then
  tok_tat = tat(KEYS[2])
  tok_new = tok_tat
  if deny == 0 and need > 0 then
    if need > tok_limit then
      deny, retry, too_large = 2, PERIOD, 1
    else
      tok_new = tok_tat + need * PERIOD / tok_limit
      if tok_new - PERIOD > now then
        deny, retry = 2, tok_new - PERIOD - now
      end
    end
  end
end

if deny == 0 then
  if req_limit > 0 then
    req_tat = req_new
    redis.call('SET', KEYS[1], string.format('%.0f', req_new), 'PX', math.ceil((req_new - now) / 1000) + 1000)
  end
  if tok_limit > 0 then
    tok_tat = tok_new
    redis.call('SET', KEYS[2], string.format('%.0f', tok_new), 'PX', math.ceil((tok_new - now) / 1000) + 1000)
    -- What is left of the credit; an integer Redis can INCRBY (never "-0").
    if need < 0 then
      redis.call('SET', KEYS[3], string.format('%d', -need), 'PX', 120000)
    elseif balance ~= 0 then
      redis.call('DEL', KEYS[3])
    end
  end
end

local req_rem, req_reset, tok_rem, tok_reset = 0, 0, 0, 0
if req_limit > 0 then req_rem, req_reset = view(req_limit, req_tat) end
if tok_limit > 0 then
  tok_rem, tok_reset = view(tok_limit, tok_tat)
  if deny == 0 and need < 0 then
    tok_rem = math.min(tok_limit, tok_rem - need)
  end
end
if deny == 1 then req_rem = 0 end
if deny == 2 then tok_rem = 0 end
return {deny == 0 and 1 or 0, deny, retry, too_large, req_rem, req_reset, tok_rem, tok_reset}

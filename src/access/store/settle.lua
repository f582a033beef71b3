-- gw: credit (ARGV[1] > 0) or charge (< 0) a scope's token balance after a reply, capped at one
-- minute's quota (ARGV[2]): an idle scope's bucket refills anyway.
-- KEYS: 1 token balance
local b = redis.call('INCRBY', KEYS[1], ARGV[1])
local cap = tonumber(ARGV[2])
if b > cap then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', 120000)
else
  redis.call('PEXPIRE', KEYS[1], 120000)
end
return b

-- One login attempt for an (account, address) pair. The attempt is counted as a failure before
-- the password is checked, so parallel attempts cannot slip past the delay; a success deletes
-- the state. The delays are computed in TypeScript (server/auth/throttle.ts) and passed in.
-- KEYS[1] throttle hash {n, until}, KEYS[2] account lock
-- ARGV[1] now (ms), ARGV[2] state TTL (s), ARGV[3..] delay in ms after the 1st, 2nd, … failure
-- (the last value repeats for every later failure)
-- Returns {'locked', 0} | {'wait', ms} | {'go', n}
if redis.call('EXISTS', KEYS[2]) == 1 then return {'locked', 0} end
local now = tonumber(ARGV[1])
local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if now < untilMs then return {'wait', untilMs - now} end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local last = #ARGV
local delay = tonumber(ARGV[math.min(n + 2, last)])
redis.call('HSET', KEYS[1], 'until', now + delay)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return {'go', n}

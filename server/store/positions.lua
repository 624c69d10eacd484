-- Telemetry: keep each unit's newest fix, its geo position, the time of its fix (fix:at) and a 10-minute trail.
-- ARGV[1] now (ms), ARGV[2] count, then per fix: unitId, atMs, lat, lon, speed, heading, accuracy
-- Returns per fix: 1 applied, 0 older than the stored one (ignored), 2 applied and a
-- durable copy is due (none in the last 30 s).
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local out = {}
for f = 0, n - 1 do
  local b = 3 + f * 7
  local unit, at = ARGV[b], ARGV[b + 1]
  local key = 'pos:' .. unit
  local cur = redis.call('HMGET', key, 'at', 'durableAt')
  if cur[1] and tonumber(cur[1]) >= tonumber(at) then
    out[#out + 1] = 0
  else
    redis.call('HSET', key, 'at', at, 'lat', ARGV[b + 2], 'lon', ARGV[b + 3],
      'speed', ARGV[b + 4], 'heading', ARGV[b + 5], 'accuracy', ARGV[b + 6])
    redis.call('GEOADD', 'geo:units', ARGV[b + 3], ARGV[b + 2], unit)
    redis.call('ZADD', 'fix:at', at, unit)
    local trail = 'trail:' .. unit
    redis.call('ZADD', trail, at, at .. ',' .. ARGV[b + 2] .. ',' .. ARGV[b + 3] .. ',' .. ARGV[b + 4] .. ',' .. ARGV[b + 5])
    redis.call('ZREMRANGEBYSCORE', trail, '-inf', '(' .. tostring(now - 600000))
    redis.call('PEXPIRE', trail, 900000)
    if not cur[2] or tonumber(at) - tonumber(cur[2]) >= 30000 then
      redis.call('HSET', key, 'durableAt', at)
      out[#out + 1] = 2
    else
      out[#out + 1] = 1
    end
  end
end
return out

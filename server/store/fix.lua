-- Durable copy of a unit's fix, set only if newer. KEYS[1] fix key; ARGV: at, lat, lon, speed, heading
local cur = redis.call('HGET', KEYS[1], 'at')
if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'at', ARGV[1], 'lat', ARGV[2], 'lon', ARGV[3], 'speed', ARGV[4], 'heading', ARGV[5])
return 1

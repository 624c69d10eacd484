-- The one generic commit. It never decodes JSON: Node has already reduced every event;
-- this script only checks expectations and writes what it was given, atomically.
--
-- ARGV[1]  MINID for trimming the log ("" = no trim)
-- ARGV[2]  number of entries
-- then per entry:
--   dedupeKey ("" = none), payloadHash, dedupeTtlSeconds,
--   nChecks, then nChecks pairs (objectKey, expectedVersion; "0" = must not exist),
--   entryJson (the entry without its seq; the stream id is the seq),
--   nOpArgs, then nOpArgs op arguments:
--     H  key version json      object hash {v, j, s=seq}
--     TL key                   timeline: RPUSH "<seq> <entryJson>"
--     ZA key score member | ZR key member | GA key lon lat member
--     SA key member | SR key member | SX key ttl (SET key seq EX ttl) | DL key
--     HF key field json (HSET key field "<seq> <json>") | EX key ttl (EXPIRE key ttl)
--     HI key field n (HINCRBY key field n: counters; the entry is committed once, so is the increment)
--
-- Returns one reply per entry processed: {"ok", seq} | {"dup", seq} | {"idc", seq}
-- and, if an expectation failed, a last {"conflict", key, currentVersion}: nothing of that
-- entry or any later one was written, so the caller re-reads and resumes there.
local i = 3
local n = tonumber(ARGV[2])
local minid = ARGV[1]
local out = {}

local function apply_ops(from, count, seq, json)
  local j = from
  local stop = from + count
  while j < stop do
    local op = ARGV[j]
    if op == 'H' then
      redis.call('HSET', ARGV[j + 1], 'v', ARGV[j + 2], 'j', ARGV[j + 3], 's', seq)
      j = j + 4
    elseif op == 'TL' then
      redis.call('RPUSH', ARGV[j + 1], seq .. ' ' .. json)
      j = j + 2
    elseif op == 'ZA' then
      redis.call('ZADD', ARGV[j + 1], ARGV[j + 2], ARGV[j + 3])
      j = j + 4
    elseif op == 'ZR' then
      redis.call('ZREM', ARGV[j + 1], ARGV[j + 2])
      j = j + 3
    elseif op == 'GA' then
      redis.call('GEOADD', ARGV[j + 1], ARGV[j + 2], ARGV[j + 3], ARGV[j + 4])
      j = j + 5
    elseif op == 'SA' then
      redis.call('SADD', ARGV[j + 1], ARGV[j + 2])
      j = j + 3
    elseif op == 'SR' then
      redis.call('SREM', ARGV[j + 1], ARGV[j + 2])
      j = j + 3
    elseif op == 'SX' then
      redis.call('SET', ARGV[j + 1], seq, 'EX', ARGV[j + 2])
      j = j + 3
    elseif op == 'EX' then
      redis.call('EXPIRE', ARGV[j + 1], ARGV[j + 2])
      j = j + 3
    elseif op == 'DL' then
      redis.call('DEL', ARGV[j + 1])
      j = j + 2
    elseif op == 'HF' then
      redis.call('HSET', ARGV[j + 1], ARGV[j + 2], seq .. ' ' .. ARGV[j + 3])
      j = j + 4
    elseif op == 'HI' then
      redis.call('HINCRBY', ARGV[j + 1], ARGV[j + 2], ARGV[j + 3])
      j = j + 4
    else
      return redis.error_reply('commit: unknown op ' .. tostring(op))
    end
  end
  return nil
end

for _ = 1, n do
  local dkey, dhash, dttl = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local nchecks = tonumber(ARGV[i + 3])
  local checks = i + 4
  local json = ARGV[checks + 2 * nchecks]
  local nops = tonumber(ARGV[checks + 2 * nchecks + 1])
  local ops = checks + 2 * nchecks + 2
  i = ops + nops

  local prev = false
  if dkey ~= '' then prev = redis.call('GET', dkey) end
  if prev then
    local sp = string.find(prev, ' ', 1, true)
    local pseq = string.sub(prev, 1, sp - 1)
    if string.sub(prev, sp + 1) == dhash then
      out[#out + 1] = { 'dup', pseq }
    else
      out[#out + 1] = { 'idc', pseq }
    end
  else
    for c = 0, nchecks - 1 do
      local key = ARGV[checks + 2 * c]
      local current = redis.call('HGET', key, 'v') or '0'
      if current ~= ARGV[checks + 2 * c + 1] then
        out[#out + 1] = { 'conflict', key, current }
        return out
      end
    end
    local seq
    if minid ~= '' then
      seq = redis.call('XADD', 'log', 'MINID', '~', minid, '*', 'e', json)
    else
      seq = redis.call('XADD', 'log', '*', 'e', json)
    end
    local err = apply_ops(ops, nops, seq, json)
    if err then return err end
    if dkey ~= '' then redis.call('SET', dkey, seq .. ' ' .. dhash, 'EX', dttl) end
    out[#out + 1] = { 'ok', seq }
  end
end
return out

-- Appends hash-chained audit records (server/audit/trail.ts). Like commit.lua it never decodes
-- JSON: Node has built each record with its prevHash and computed the new head (SHA-256).
--
-- KEYS[1]  the audit stream        KEYS[2]  the chain head (hex SHA-256 of the last record)
-- ARGV[1]  the head the records were built on (64 zeros when the chain is empty)
-- ARGV[2]  the new head (hash of the last record given)
-- ARGV[3]  the retention in ms ("" = no trim): MINID ~ is computed from this server's clock,
--          the clock of the stream ids, so a writer whose clock runs ahead cannot trim the trail away
-- ARGV[4…] record JSON, oldest first (field "r"; the stream id is the record id)
--
-- Returns {"ok", id…} or, when another writer moved the head, {"conflict", currentHead}:
-- nothing was written and the caller rebuilds the records on the current head.
local cur = redis.call('GET', KEYS[2])
if not cur then cur = string.rep('0', 64) end
if cur ~= ARGV[1] then return {'conflict', cur} end

local minid = nil
if ARGV[3] ~= '' then
  local t = redis.call('TIME')
  local nowms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  minid = string.format('%.0f', math.max(0, nowms - tonumber(ARGV[3]))) .. '-0'
end

local out = {'ok'}
for i = 4, #ARGV do
  local id
  if i == 4 and minid then
    id = redis.call('XADD', KEYS[1], 'MINID', '~', minid, '*', 'r', ARGV[i])
  else
    id = redis.call('XADD', KEYS[1], '*', 'r', ARGV[i])
  end
  out[#out + 1] = id
end
redis.call('SET', KEYS[2], ARGV[2])
return out

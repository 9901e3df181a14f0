import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'

export type StoreClient = Redis | Cluster

export type StoreScript = { source: string; sha: string }

const script = (source: string): StoreScript => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
})

/**
 * Runs a Lua script by its SHA and falls back to sending its source when Redis does not know it (NOSCRIPT:
 * first use, or a restarted Redis that lost its script cache).
 */
export async function runScript(
  redis: StoreClient,
  { source, sha }: StoreScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args)
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
    return redis.eval(source, keys.length, ...keys, ...args)
  }
}

/** The prefix of the error reply of a write whose fencing token is not the current lease. */
export const fencedReply = 'FENCED'

/** The prefix of the error reply of a write whose writer stored more than the store now holds. */
export const behindReply = 'BEHIND'

/**
 * Write block records (KEYS: blocks, head, lease, epoch; ARGV: token, maxStored, truncateAbove or '', channel,
 * chainId, knownHead or '', then number/record pairs). One script, so a batch is all or nothing, and fenced:
 * nothing is written unless the lease still holds the writer's token. The stored head must be at least the
 * head the writer last stored (knownHead): lower, the store lost writes (a failover to a replica that had
 * not received them), and the writer must refill from what is stored (BEHIND <head>). The epoch counter is
 * raised to the writer's epoch, so a store holding a write of epoch E never hands out E again. Per number,
 * the old record is removed before the new one is added: writing a block twice leaves one record, writing a
 * reorged block replaces it. Oldest records beyond maxStored are trimmed; the head is the highest record
 * left. Returns the head's number.
 */
export const writeBlocksScript = script(`
if redis.call('GET', KEYS[3]) ~= ARGV[1] then
  return redis.error_reply('${fencedReply} lease not held')
end
if ARGV[6] ~= '' then
  local stored = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  local storedHead = -1
  if stored[2] ~= nil then storedHead = tonumber(stored[2]) end
  if storedHead < tonumber(ARGV[6]) then
    return redis.error_reply('${behindReply} ' .. string.format('%d', storedHead))
  end
end
local epoch = tonumber(string.match(ARGV[1], '|(%d+)$'))
if epoch ~= nil and (tonumber(redis.call('GET', KEYS[4])) or 0) < epoch then
  redis.call('SET', KEYS[4], epoch)
end
local from = nil
if ARGV[3] ~= '' then
  local removed = redis.call('ZREMRANGEBYSCORE', KEYS[1], '(' .. ARGV[3], '+inf')
  if removed > 0 then from = tonumber(ARGV[3]) + 1 end
end
for i = 7, #ARGV, 2 do
  local n = ARGV[i]
  redis.call('ZREMRANGEBYSCORE', KEYS[1], n, n)
  redis.call('ZADD', KEYS[1], n, ARGV[i + 1])
  if from == nil or tonumber(n) < from then from = tonumber(n) end
end
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) end
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[1] == nil then
  redis.call('DEL', KEYS[2])
  return -1
end
redis.call('SET', KEYS[2], top[1])
if from ~= nil then
  redis.call('PUBLISH', ARGV[4], '{"chainId":' .. ARGV[5] .. ',"number":' .. top[2] .. ',"from":' .. string.format('%d', from) .. '}')
end
return tonumber(top[2])
`)

/** Fenced SET of the feature vector (KEYS: features, lease; ARGV: token, value). */
export const writeFeaturesScript = script(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return redis.error_reply('${fencedReply} lease not held')
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`)

/**
 * Acquire (KEYS: lease, epoch; ARGV: owner, ttlMs, minEpoch). A free lease gets a new token "<owner>|<epoch>",
 * the epoch counting up with every new lease and above minEpoch (the highest the acquirer has seen: a store
 * rolled back by a failover may have lost the counter's last increments); an owner that still holds it gets
 * its token back, extended. Otherwise nil.
 */
export const acquireLeaseScript = script(`
local current = redis.call('GET', KEYS[1])
if current then
  if string.sub(current, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return current
  end
  return false
end
local epoch = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3]) or 0
if epoch <= floor then
  epoch = floor + 1
  redis.call('SET', KEYS[2], epoch)
end
local token = ARGV[1] .. '|' .. epoch
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return token
`)

/** Renew (KEYS: lease; ARGV: token, ttlMs): 1 if still held and extended, 0 if not. */
export const renewLeaseScript = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`)

/** Release (KEYS: lease; ARGV: token): 1 if it was held and is now free, 0 if not. */
export const releaseLeaseScript = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`)

/** The prefix of the error reply of a calibration write whose expected sequence is not the stored one. */
export const conflictReply = 'CONFLICT'

/**
 * Store a prediction with its calibration state (KEYS: prediction, calibration, calibrationSeq; ARGV:
 * prediction JSON, calibration JSON, the "<seq>|<writer>" the writer last read or wrote ('' for none), the
 * new "<seq>|<writer>"). A compare-and-set on the sequence: a writer that did not see the stored state
 * (another predictor wrote since, or a failover rolled the store back) is refused with the stored sequence,
 * so two writers never interleave their states silently.
 */
export const writePredictionScript = script(`
local current = redis.call('GET', KEYS[3]) or ''
if current ~= ARGV[3] then
  return redis.error_reply('${conflictReply} ' .. current)
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[4])
return 1
`)

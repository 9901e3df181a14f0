/**
 * Redis key layout of one chain. The `{<chainId>}` hash tag puts every key of a chain in one Redis Cluster
 * slot, so the Lua scripts that touch several of them stay legal on a cluster.
 *
 *   feecast:{<id>}:blocks      sorted set, score = block number, member = serialized BlockRecord (one per number)
 *   feecast:{<id>}:head        string, the serialized record of the highest stored block
 *   feecast:{<id>}:features    string, JSON { blockNumber, names, values, updatedAt } of the latest feature vector
 *   feecast:{<id>}:lease       string "<owner>|<epoch>" with a TTL: the sampler leader's lease (the fencing token)
 *   feecast:{<id>}:lease:epoch counter, incremented on every new lease
 *   feecast:{<id>}:blocks:new  pub/sub channel, JSON { chainId, number, from } after every write
 *   feecast:{<id>}:health      string, JSON ChainHealth: what the sampler refuses or doubts (see chainHealth.ts)
 */
export type StoreKeys = {
  blocks: string
  head: string
  features: string
  lease: string
  leaseEpoch: string
  channel: string
  health: string
}

export function storeKeys(chainId: number): StoreKeys {
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new RangeError(`invalid chain id ${chainId}`)
  const base = `feecast:{${chainId}}`
  return {
    blocks: `${base}:blocks`,
    head: `${base}:head`,
    features: `${base}:features`,
    lease: `${base}:lease`,
    leaseEpoch: `${base}:lease:epoch`,
    channel: `${base}:blocks:new`,
    health: `${base}:health`,
  }
}

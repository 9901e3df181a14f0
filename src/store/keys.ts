/**
 * The Redis layout: the one place feecast spells a key or a channel.
 *
 * Per chain, under the `{<chainId>}` hash tag, so every key of a chain is in one Redis Cluster slot and
 * the Lua scripts that touch several of them stay legal on a cluster:
 *
 *   feecast:{<id>}:blocks      sorted set, score = block number, member = serialized BlockRecord (one per number)
 *   feecast:{<id>}:head        string, the serialized record of the highest stored block
 *   feecast:{<id>}:features    string, JSON { blockNumber, names, values, updatedAt } of the latest feature vector
 *   feecast:{<id>}:lease       string "<owner>|<epoch>" with a TTL: the sampler leader's lease (the fencing token)
 *   feecast:{<id>}:lease:epoch counter, incremented on every new lease
 *   feecast:{<id>}:blocks:new  pub/sub channel, JSON { chainId, number, from } after every write
 *   feecast:{<id>}:health      string, JSON ChainHealth: what the sampler refuses or doubts (see chainHealth.ts)
 *   feecast:{<id>}:calibration string, JSON of the predictor's live calibration state (opaque to the store)
 *   feecast:{<id>}:blob:calibration string, JSON of the predictor's live blob-fee calibration state (opaque)
 *   feecast:{<id>}:blob:schedule string, JSON of the blob schedule a node's eth_config gave, with its doubts
 *
 * Predictions, outside the hash tags (as they were first laid out; moving them is a migration of its own).
 * Everything stored or published here is the JSON of one Prediction (the API checks it against the contract):
 *
 *   feecast:prediction:<id>    string, the latest Prediction of the chain (SET on every new one)
 *   feecast:predictions        pub/sub channel, the same JSON PUBLISHed right after the SET
 *   feecast:chains             set of the served chain ids (decimal strings), SADDed with every prediction
 */
export type StoreKeys = {
  blocks: string
  head: string
  features: string
  lease: string
  leaseEpoch: string
  channel: string
  health: string
  calibration: string
  blobCalibration: string
  blobSchedule: string
  prediction: string
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
    calibration: `${base}:calibration`,
    blobCalibration: `${base}:blob:calibration`,
    blobSchedule: `${base}:blob:schedule`,
    prediction: predictionKey(chainId),
  }
}

/** The key holding the latest prediction of a chain. */
export function predictionKey(chainId: number): string {
  return `feecast:prediction:${chainId}`
}

/** The pub/sub channel on which every new prediction is announced (its full JSON). */
export const predictionChannel = 'feecast:predictions'

/** The set of served chain ids. */
export const chainsKey = 'feecast:chains'

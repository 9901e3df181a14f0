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
 *   feecast:{<id>}:prediction  string, the latest Prediction of the chain (its JSON; the API checks it against the contract)
 *   feecast:{<id>}:predictions pub/sub channel, the same JSON right after the SET: SPUBLISHed (sharded) on a
 *                              Cluster, PUBLISHed otherwise
 *   feecast:{<id>}:calibration:seq  string "<seq>|<writer>": which write of the calibration state is stored
 *                              (the predictor's compare-and-set, so two writers never interleave silently)
 *
 * The rule for every new per-chain key: under `feecast:{<id>}:`, built here, so it lands in the chain's slot.
 *
 * Outside the hash tags, single-key commands only (legal on a cluster wherever the key lands):
 *
 *   feecast:chains             set of the served chain ids (decimal strings), SADDed with every prediction
 *   feecast:samplers           sorted set, member = sampler replica, score = unix ms its presence expires
 *                              (how replicas count each other to share the chains)
 *
 * The layout before issue 14 (kept while FEECAST_LEGACY_LAYOUT is on, so processes of the previous
 * version keep working during a rolling upgrade; see README "Upgrading"):
 *
 *   feecast:prediction:<id>    string, the latest Prediction (written beside the new key)
 *   feecast:predictions        pub/sub channel of every chain's predictions (published beside the new one)
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
  calibrationSeq: string
  blobCalibration: string
  blobSchedule: string
  prediction: string
  predictionChannel: string
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
    calibrationSeq: `${base}:calibration:seq`,
    blobCalibration: `${base}:blob:calibration`,
    blobSchedule: `${base}:blob:schedule`,
    prediction: `${base}:prediction`,
    predictionChannel: `${base}:predictions`,
  }
}

/**
 * Every chain's prediction channel, as a PSUBSCRIBE pattern (outside a Cluster). In Redis's glob, `{` and
 * `}` are plain characters: this matches `feecast:{<anything>}:predictions`.
 */
export const predictionChannelPattern = 'feecast:{*}:predictions'

/** The key holding the latest prediction of a chain in the layout before issue 14 (outside the hash tag). */
export function legacyPredictionKey(chainId: number): string {
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new RangeError(`invalid chain id ${chainId}`)
  return `feecast:prediction:${chainId}`
}

/** The one channel of every chain's predictions in the layout before issue 14. */
export const legacyPredictionChannel = 'feecast:predictions'

/** The set of served chain ids. */
export const chainsKey = 'feecast:chains'

/** The presence of the sampler replicas (see sharing the chains in src/sampler/chainShare.ts). */
export const samplersKey = 'feecast:samplers'

import { LeaseNotHeldError, StoredValueError } from './errors.js'
import { storeKeys } from './keys.js'
import { fencedReply, runScript, type StoreClient, writeFeaturesScript } from './scripts.js'

/** The latest feature vector of a chain. Opaque to the store: the features module defines names and values. */
export type FeatureVector = {
  /** the block the features were computed up to */
  blockNumber: number
  names: string[]
  values: number[]
  /** ms since the epoch */
  updatedAt: number
}

export type WriteFeaturesParameters = { chainId: number; vector: FeatureVector; leaseToken: string }

/** Replaces the chain's feature vector; fenced by the lease like block writes. */
export async function writeFeatures(
  redis: StoreClient,
  { chainId, vector, leaseToken }: WriteFeaturesParameters,
): Promise<void> {
  if (vector.names.length !== vector.values.length)
    throw new RangeError(`${vector.names.length} feature names for ${vector.values.length} values`)
  const keys = storeKeys(chainId)
  try {
    await runScript(
      redis,
      writeFeaturesScript,
      [keys.features, keys.lease],
      [leaseToken, JSON.stringify(vector)],
    )
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(fencedReply))
      throw new LeaseNotHeldError(chainId, 'writeFeatures')
    throw error
  }
}

export type ReadFeaturesParameters = { chainId: number }

export async function readFeatures(
  redis: StoreClient,
  { chainId }: ReadFeaturesParameters,
): Promise<FeatureVector | null> {
  const text = await redis.get(storeKeys(chainId).features)
  if (text === null) return null
  try {
    const v = JSON.parse(text) as FeatureVector
    if (!Number.isSafeInteger(v.blockNumber) || !Array.isArray(v.names) || !Array.isArray(v.values))
      throw new Error()
    return v
  } catch {
    throw new StoredValueError(`the stored feature vector of chain ${chainId} is invalid`)
  }
}

import { StoredValueError } from './errors.js'
import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

export type WriteBlobCalibrationStateParameters = {
  chainId: number
  /** The predictor's blob-fee calibration state (stored as JSON; the store does not look inside). */
  state: object
}

/**
 * Saves a chain's blob-fee calibration state (both regimes) beside the base-fee one. The predictor writes it
 * before it stores the prediction made with it, so a new leader never scores with an older state than the
 * prediction it reads.
 */
export async function writeBlobCalibrationState(
  redis: StoreClient,
  { chainId, state }: WriteBlobCalibrationStateParameters,
): Promise<void> {
  await redis.set(storeKeys(chainId).blobCalibration, JSON.stringify(state))
}

export type ReadBlobCalibrationStateParameters = { chainId: number }

/** The parsed JSON as written (the predictor checks its version), or null; StoredValueError when not JSON. */
export async function readBlobCalibrationState(
  redis: StoreClient,
  { chainId }: ReadBlobCalibrationStateParameters,
): Promise<unknown> {
  const text = await redis.get(storeKeys(chainId).blobCalibration)
  if (!text) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new StoredValueError(`the stored blob calibration state of chain ${chainId} is not JSON`, {
      details: text.slice(0, 200),
    })
  }
}

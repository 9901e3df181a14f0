import { StoredValueError } from './errors.js'
import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

export type ReadCalibrationStateParameters = { chainId: number }

/** The parsed JSON as writePrediction stored it (the predictor checks its version), or null when none is. */
export type ReadCalibrationStateReturnType = unknown

/** The calibration state saved with the chain's last prediction; StoredValueError when it is not JSON. */
export async function readCalibrationState(
  redis: StoreClient,
  { chainId }: ReadCalibrationStateParameters,
): Promise<ReadCalibrationStateReturnType> {
  const text = await redis.get(storeKeys(chainId).calibration)
  if (!text) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new StoredValueError(`the stored calibration state of chain ${chainId} is not JSON`, {
      details: text.slice(0, 200),
    })
  }
}

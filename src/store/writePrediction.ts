import { chainsKey, predictionChannel, storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

export type WritePredictionParameters = {
  chainId: number
  /** The chain's new Prediction (stored and announced as JSON; the store does not look inside). */
  prediction: object
  /** The predictor's calibration state after this prediction, saved with it. */
  calibrationState: object
}

/**
 * Stores a chain's latest prediction with the calibration state it was made with, lists the chain among
 * the served ones (one MULTI), then announces the prediction. Stored before it is announced, so a
 * replica that hears the announcement can always read it.
 */
export async function writePrediction(
  redis: StoreClient,
  { chainId, prediction, calibrationState }: WritePredictionParameters,
): Promise<void> {
  const keys = storeKeys(chainId)
  const json = JSON.stringify(prediction)
  await redis
    .multi()
    .set(keys.prediction, json)
    .sadd(chainsKey, String(chainId))
    .set(keys.calibration, JSON.stringify(calibrationState))
    .exec()
  await redis.publish(predictionChannel, json)
}

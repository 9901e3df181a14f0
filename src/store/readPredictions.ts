import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

export type ReadPredictionsParameters = { chainIds: readonly number[] }

/**
 * The stored prediction of each chain that has one, as the JSON text that was stored: the reader checks
 * it against the Prediction contract (and may skip text it has already seen).
 */
export type ReadPredictionsReturnType = Map<number, string>

/** The latest prediction of each of `chainIds` (one GET each, sent together). */
export async function readPredictions(
  redis: StoreClient,
  { chainIds }: ReadPredictionsParameters,
): Promise<ReadPredictionsReturnType> {
  const values = await Promise.all(chainIds.map((chainId) => redis.get(storeKeys(chainId).prediction)))
  const predictions: ReadPredictionsReturnType = new Map()
  values.forEach((json, i) => {
    const chainId = chainIds[i]
    if (json !== null && chainId !== undefined) predictions.set(chainId, json)
  })
  return predictions
}

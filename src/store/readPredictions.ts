import { legacyPredictionKey, storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

export type ReadPredictionsParameters = {
  chainIds: readonly number[]
  /**
   * A chain without a prediction under its hash tag is read from the layout before issue 14 (a predictor
   * of the previous version still writes it during a rolling upgrade).
   */
  legacyLayout?: boolean
}

/**
 * The stored prediction of each chain that has one, as the JSON text that was stored: the reader checks
 * it against the Prediction contract (and may skip text it has already seen).
 */
export type ReadPredictionsReturnType = Map<number, string>

/** The latest prediction of each of `chainIds` (one GET each, sent together; each in its chain's slot). */
export async function readPredictions(
  redis: StoreClient,
  { chainIds, legacyLayout = false }: ReadPredictionsParameters,
): Promise<ReadPredictionsReturnType> {
  const values = await Promise.all(
    chainIds.map(async (chainId) => {
      const json = await redis.get(storeKeys(chainId).prediction)
      return json === null && legacyLayout ? redis.get(legacyPredictionKey(chainId)) : json
    }),
  )
  const predictions: ReadPredictionsReturnType = new Map()
  values.forEach((json, i) => {
    const chainId = chainIds[i]
    if (json !== null && chainId !== undefined) predictions.set(chainId, json)
  })
  return predictions
}

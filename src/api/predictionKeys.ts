/**
 * Where predictions live in Redis: the one place these names are spelled. The predictor writes, the API
 * reads. Everything stored here is JSON that parses with `PredictionSchema` (src/api/schemas.ts).
 *
 * - `feecast:prediction:<chainId>`: string, the latest Prediction of the chain (SET on every new one).
 * - `feecast:predictions`: pub/sub channel, the same JSON PUBLISHed right after the SET.
 * - `feecast:chains`: set of the configured chain ids (decimal strings), SADDed by whoever serves a chain.
 */
export const predictionKeyPrefix = 'feecast:prediction:'

/** The key holding the latest prediction of a chain. */
export function predictionKey(chainId: number): string {
  return `${predictionKeyPrefix}${chainId}`
}

/** The pub/sub channel on which every new prediction is announced (its full JSON). */
export const predictionChannel = 'feecast:predictions'

/** The set of configured chain ids. */
export const chainsKey = 'feecast:chains'

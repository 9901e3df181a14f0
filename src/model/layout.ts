/**
 * The shape of the model's output, stored with every model (scaling.json) so that a model file says how
 * to read itself.
 *
 * Two heads, both in units of the chain's largest one-block log step, relative to the exact next base
 * fee b[t+1]:
 * - runMax: quantiles of log(max(b[t+1..t+N]) / b[t+1]) for N in `horizons`: what maxFeePerGas must
 *   clear for the transaction to stay includable in each of the next N blocks.
 * - marginal: quantiles of log(b[t+k] / b[t+1]) for k in `horizons`: the base-fee forecast.
 */
export type ModelLayout = {
  horizons: number[]
  /** Levels (probabilities in (0, 1)) of the running-max head, ascending. */
  runMaxLevels: number[]
  /** Levels of the marginal head, ascending. */
  marginalLevels: number[]
}

export const defaultMaxHorizon = 20

export function defaultLayout(maxHorizon: number = defaultMaxHorizon): ModelLayout {
  return {
    horizons: Array.from({ length: maxHorizon - 1 }, (_, i) => i + 2),
    runMaxLevels: [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995],
    marginalLevels: [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99],
  }
}

export function outputSize(layout: ModelLayout): number {
  return layout.horizons.length * (layout.runMaxLevels.length + layout.marginalLevels.length)
}

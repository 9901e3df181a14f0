import type { Features } from '../features/computeFeatures.js'
import type { FeeRule } from '../features/types.js'
import type { ModelLayout } from './layout.js'
import type { QuantileGrid } from './quantileHead.js'

/**
 * The model's forecast (not the API's `BaseFeeForecast` of @feecast/client, which is wei quantiles of the
 * base fee k blocks ahead): quantile grids in natural-log ratios to the exact next base fee b[t+1]:
 * runMax[h][l]: quantile at level `layout.runMaxLevels[l]` of log(max(b[t+1..t+N]) / b[t+1]), N = horizons[h];
 * marginal[h][l]: quantile at `layout.marginalLevels[l]` of log(b[t+k] / b[t+1]), k = horizons[h].
 */
export type FeeQuantileForecast = {
  layout: ModelLayout
  runMax: QuantileGrid
  marginal: QuantileGrid
}

/** Anything that turns features into a forecast: the trained network, or the random-walk fallback. */
export type BaseFeeForecaster = {
  /** Reported with every prediction (`model.version`). */
  version: string
  /** Where it runs (`model.backend`), e.g. 'wasm+js'. */
  backend: string
  layout: ModelLayout
  forecast(features: Features, rule: FeeRule): FeeQuantileForecast
  /** Starting offsets for the online calibration, if the model knows its own bias (scaling.json). */
  calibrationPrior?: { confidences: number[]; horizons: number[]; offset: number[][] } | undefined
}

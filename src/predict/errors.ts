import { FeecastError } from '../errors.js'

/**
 * Block records a prediction cannot be made from (none, or a head without the base fee, gas used or gas
 * limit the next base fee needs). The predictor keeps the last prediction, which ages into `stale`.
 */
export class PredictionInputError extends FeecastError {
  override name = 'PredictionInputError'
}

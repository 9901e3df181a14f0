import { FeecastError } from '../errors.js'

/**
 * An SLO spec the generator cannot turn into rules and tests: an objective without a threshold or with
 * both bad and good events, or a promtool scenario the oracle finds too close to a threshold or not
 * showing what it is for. Raised by `npm run generate`, never at run time.
 */
export class SloSpecError extends FeecastError {
  override name = 'SloSpecError'
}

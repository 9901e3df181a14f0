import { FeecastError } from '../errors.js'

/** A command-line option that cannot be used as given. */
export class CommandOptionError extends FeecastError {
  override name = 'CommandOptionError'
}

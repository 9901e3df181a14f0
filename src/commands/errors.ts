import { FeecastError } from '../errors.js'

/** A command-line option that cannot be used as given. */
export class CommandOptionError extends FeecastError {
  override name = 'CommandOptionError'
}

/** `feecast devchain`: an option outside what the devchain accepts, named with what was expected. */
export class DevchainOptionError extends CommandOptionError {
  override name = 'DevchainOptionError'
  constructor(option: string, value: string, expected: string) {
    super(`--${option} ${JSON.stringify(value)} is not ${expected}`, {
      details: 'Run `feecast devchain --help` for the options and their defaults.',
    })
  }
}

/** A command's output file cannot be written (nothing was written; what was computed is named). */
export class CommandOutputError extends FeecastError {
  override name = 'CommandOutputError'
}

/**
 * The sampling worker thread could not start (its samplers, predictors or their Redis): the worker's own
 * one-line message (a FeecastError there), so `feecast start` says it as it would in one thread.
 */
export class SamplingWorkerStartError extends FeecastError {
  override name = 'SamplingWorkerStartError'
}

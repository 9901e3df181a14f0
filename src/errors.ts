/**
 * Base of feecast's errors, in viem's style: a short message plus details a person can act on.
 */
export class FeecastError extends Error {
  override name = 'FeecastError'
  readonly shortMessage: string
  readonly details: string | undefined

  constructor(shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, {
      cause: options.cause,
    })
    this.shortMessage = shortMessage
    this.details = options.details
  }
}

/**
 * The service cannot start because of a setting (a port in use, a host that does not resolve, a state
 * directory it cannot write): one line naming the setting, and exit code 2.
 */
export class StartupError extends FeecastError {
  override name = 'StartupError'
  readonly setting: string
  constructor(setting: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${setting} ${problem}`, options)
    this.setting = setting
  }
}

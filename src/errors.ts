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

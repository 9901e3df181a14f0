import type { ErrorBody } from './contract.js'

/**
 * Base of feecast's errors, in viem's style: a short message plus details a person can act on. The
 * service's errors extend it too.
 */
export class FeecastError extends Error {
  override name = 'FeecastError'
  readonly shortMessage: string
  readonly details: string | undefined

  constructor(shortMessage: string, options: { details?: string | undefined; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, {
      cause: options.cause,
    })
    this.shortMessage = shortMessage
    this.details = options.details
  }
}

/** feecast answered with an error (4xx/5xx): its status, code and message, and Retry-After if given. */
export class FeecastHttpError extends FeecastError {
  override name = 'FeecastHttpError'
  readonly status: number
  readonly code: string | undefined
  readonly retryAfterSeconds: number | undefined
  constructor(status: number, body: ErrorBody | undefined, retryAfter: string | null) {
    super(`feecast answered ${status}${body?.error.code ? ` (${body.error.code})` : ''}`, {
      details: body?.error.message,
    })
    this.status = status
    this.code = body?.error.code
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter)
    this.retryAfterSeconds = Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined
  }
}

/** feecast did not answer within the timeout, or could not be reached. */
export class FeecastUnavailableError extends FeecastError {
  override name = 'FeecastUnavailableError'
}

/** The client was given a URL it cannot call (neither an http:// or https:// URL nor a path). */
export class FeecastUrlError extends FeecastError {
  override name = 'FeecastUrlError'
  constructor(url: string) {
    super('feecast URL must be an absolute http:// or https:// URL (or, in a browser, a path)', {
      details: `got ${JSON.stringify(url.slice(0, 100))}; e.g. http://localhost:8080`,
    })
  }
}

/** feecast answered 200 with a body that is not a prediction this client understands. */
export class FeecastResponseError extends FeecastError {
  override name = 'FeecastResponseError'
}

/**
 * The server speaks another contract version than this client. A different major version means
 * fields this client relies on may have changed; a different minor one only adds or lacks new fields.
 */
export class FeecastContractMismatchError extends FeecastError {
  override name = 'FeecastContractMismatchError'
  readonly clientVersion: string
  readonly serverVersion: string
  constructor(clientVersion: string, serverVersion: string) {
    super(`feecast speaks contract ${serverVersion}; this client speaks ${clientVersion}`, {
      details:
        majorOf(clientVersion) === majorOf(serverVersion)
          ? 'Same major version: the answers parse, newer fields may be missing or unknown to this client.'
          : 'Different major version: upgrade @feecast/client (or the server) so both speak the same contract.',
    })
    this.clientVersion = clientVersion
    this.serverVersion = serverVersion
  }
  /** True when the major versions differ: the answers may not mean what this client thinks. */
  get breaking(): boolean {
    return majorOf(this.clientVersion) !== majorOf(this.serverVersion)
  }
}

/** feecast's estimate was not used (see feecastFees): why, as the reason handed to `onFallback`. */
export class FeecastFallbackError extends FeecastError {
  override name = 'FeecastFallbackError'
  /** What made the caller fall back. */
  readonly reason: FallbackReason
  constructor(reason: FallbackReason, message: string, options: { cause?: unknown; details?: string } = {}) {
    super(message, options)
    this.reason = reason
  }
}

export type FallbackReason =
  /** The request failed (timeout, unreachable, an error answer, a body that is not a prediction). */
  | 'unavailable'
  /** feecast answered that it does not serve this chain (404 unknown_chain): wrong chain or wrong URL. */
  | 'chain-not-served'
  /** feecast answered, but its data is past the chain's freshness bound. */
  | 'stale'
  /** The prediction has no estimate for the (confidence, withinBlocks) asked for. */
  | 'no-estimate'
  /** feecast failed recently: it is skipped until its back-off has passed. */
  | 'backing-off'
  /** No chain id: neither the parameters nor the viem client give one. */
  | 'no-chain'
  /** The chain has no blob fees (feecastBlobFee). */
  | 'no-blobs'

const majorOf = (version: string) => version.split('.')[0]

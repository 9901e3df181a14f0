import { FeecastError } from '../errors.js'
import { causeOf } from '../lib/causeOf.js'

/**
 * How a call to one endpoint failed. Every kind moves the call on to the next endpoint, and counts against that
 * endpoint's circuit breaker except a whole block over the size cap (BlockTooLargeError) and "method not found".
 */
export type RpcFailureKind =
  /** connection refused, reset, DNS ... */
  | 'network'
  /** no answer within the timeout */
  | 'timeout'
  /** a non-2xx HTTP status */
  | 'http'
  /** not JSON, or not a JSON-RPC response */
  | 'garbage'
  /** a body past the response size cap (the read was cut off) */
  | 'oversized'
  /** a JSON-RPC error object */
  | 'rpc'
  /** a well-formed response whose result is malformed or inconsistent (e.g. a block that is not the one asked for) */
  | 'invalid'
  /** the endpoint serves another chain */
  | 'wrong-chain'
  /** the endpoint's circuit breaker is open: not called */
  | 'open-circuit'

/**
 * One endpoint failed one call. Names the endpoint by its label (host#index), never by its URL: URLs carry API
 * keys. Carries no `cause` for the same reason (fetch and viem errors quote the URL).
 */
export class RpcEndpointError extends FeecastError {
  override name = 'RpcEndpointError'
  readonly endpoint: string
  readonly method: string
  readonly kind: RpcFailureKind
  /** JSON-RPC error code, for kind 'rpc' */
  readonly code: number | undefined
  /** HTTP status, for kind 'http' */
  readonly status: number | undefined
  /** What went wrong, without the method and endpoint (already redacted). */
  readonly problem: string

  constructor(parameters: {
    endpoint: string
    method: string
    kind: RpcFailureKind
    problem: string
    code?: number | undefined
    status?: number | undefined
  }) {
    super(`${parameters.method} on ${parameters.endpoint} failed (${parameters.kind}): ${parameters.problem}`)
    this.endpoint = parameters.endpoint
    this.method = parameters.method
    this.kind = parameters.kind
    this.code = parameters.code
    this.status = parameters.status
    this.problem = parameters.problem
  }
}

/** The endpoint answered, but with a malformed or inconsistent result: it is not stored, the next endpoint is asked. */
export class RpcResponseError extends RpcEndpointError {
  override name = 'RpcResponseError'
}

/**
 * A block with its transactions was over the response size cap (kind 'oversized'). That is the block's size,
 * not the endpoint's health: it neither opens the endpoint's circuit nor is retried (the same block is as big
 * the next time); the caller reads the block's header instead.
 */
export class BlockTooLargeError extends RpcEndpointError {
  override name = 'BlockTooLargeError'
}

/** Every endpoint of a chain failed the call, through all retries. */
export class RpcUnavailableError extends FeecastError {
  override name = 'RpcUnavailableError'
  readonly chainId: number
  readonly method: string
  /** The last failure of each endpoint, redacted. */
  readonly failures: readonly RpcEndpointError[]

  constructor(chainId: number, method: string, failures: readonly RpcEndpointError[]) {
    super(`${method} failed on every endpoint of chain ${chainId}`, {
      details: failures.map((f) => f.shortMessage).join('; ') || 'no endpoint could be called',
    })
    this.chainId = chainId
    this.method = method
    this.failures = failures
  }
}

/** The RpcUnavailableError behind an error (viem wraps the transport's errors in its own). */
export function rpcUnavailableCause(error: unknown): RpcUnavailableError | undefined {
  return causeOf(error, RpcUnavailableError)
}

/** A response body passed the size cap: the read was cut off (see cappedFetch). */
export class ResponseTooLargeError extends FeecastError {
  override name = 'ResponseTooLargeError'
  readonly maxBytes: number
  constructor(maxBytes: number, seen: number) {
    super(
      `response body passed ${maxBytes} bytes (${seen > 0 ? `${seen} read` : 'by its Content-Length'}); read aborted`,
    )
    this.maxBytes = maxBytes
  }
}

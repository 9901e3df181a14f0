import type { ChainsBody, ErrorBody, Prediction } from '../api/schemas.js'
import { FeecastError } from '../errors.js'

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
    this.retryAfterSeconds = Number.isFinite(seconds) ? seconds : undefined
  }
}

/** feecast did not answer within the timeout, or could not be reached. */
export class FeecastUnavailableError extends FeecastError {
  override name = 'FeecastUnavailableError'
}

export type CreateFeecastClientParameters = {
  /** Base URL of a feecast API, e.g. http://localhost:8080 */
  url: string
  /** A fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch
  /** Give up on a request after this long (ms). Default 2000. */
  timeoutMs?: number
  /** Extra request headers (e.g. a request id). */
  headers?: Record<string, string>
}

export type PredictParameters = {
  chainId: number
  /** Confidence level(s) in percent among 50, 70, 90, 95, 99 (default: all). */
  confidence?: number | readonly number[]
  /** Horizon(s) in blocks among 1, 3, 10 (default: all). */
  withinBlocks?: number | readonly number[]
  signal?: AbortSignal
}

export type PredictReturnType = Prediction

export type FeecastClient = {
  readonly url: string
  /** GET /predict: the latest prediction; check `stale` before trusting it. */
  predict(parameters: PredictParameters): Promise<PredictReturnType>
  /** GET /chains */
  chains(parameters?: { signal?: AbortSignal }): Promise<ChainsBody>
}

const list = (v: number | readonly number[] | undefined) =>
  v === undefined ? undefined : (typeof v === 'number' ? [v] : v).join(',')

/** A typed client for feecast's HTTP API. */
export function createFeecastClient({
  url,
  fetch: fetchFn = globalThis.fetch,
  timeoutMs = 2_000,
  headers = {},
}: CreateFeecastClientParameters): FeecastClient {
  const base = url.replace(/\/+$/, '')

  async function get<T>(path: string, signal: AbortSignal | undefined): Promise<T> {
    const timeout = AbortSignal.timeout(timeoutMs)
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
    let response: Response
    try {
      response = await fetchFn(`${base}${path}`, {
        headers: { accept: 'application/json', ...headers },
        signal: combined,
      })
      if (response.ok) return (await response.json()) as T
    } catch (error) {
      if (signal?.aborted) throw error
      throw new FeecastUnavailableError(
        timeout.aborted ? `feecast did not answer within ${timeoutMs} ms` : 'feecast could not be reached',
        { cause: error, details: `GET ${path}` },
      )
    }
    const body = (await response.json().catch(() => undefined)) as ErrorBody | undefined
    throw new FeecastHttpError(response.status, body, response.headers.get('retry-after'))
  }

  return {
    url: base,
    predict({ chainId, confidence, withinBlocks, signal }) {
      const query = new URLSearchParams({ chainId: String(chainId) })
      const c = list(confidence)
      const w = list(withinBlocks)
      if (c !== undefined) query.set('confidence', c)
      if (w !== undefined) query.set('withinBlocks', w)
      return get<Prediction>(`/predict?${query.toString().replace(/%2C/g, ',')}`, signal)
    },
    chains({ signal } = {}) {
      return get<ChainsBody>('/chains', signal)
    },
  }
}

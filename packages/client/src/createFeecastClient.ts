import {
  type ChainsBody,
  type ConfidenceLevel,
  contractHeader,
  contractVersion,
  type ErrorBody,
  type Horizon,
  type Prediction,
} from './contract.js'
import {
  FeecastContractMismatchError,
  FeecastHttpError,
  FeecastResponseError,
  FeecastUnavailableError,
  FeecastUrlError,
} from './errors.js'

export type CreateFeecastClientParameters = {
  /** Base URL of a feecast API, e.g. http://localhost:8080 */
  url: string
  /** A fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch | undefined
  /** Give up on a request after this long (ms). Default 2000. */
  timeoutMs?: number | undefined
  /** Extra request headers (e.g. `Authorization: Bearer <key>` for a feecast that requires keys). */
  headers?: Record<string, string> | undefined
  /**
   * Told once when the server speaks another minor version of the contract (answers still parse).
   * Default: a console warning. A different major version is not a warning: requests then throw a
   * FeecastContractMismatchError.
   */
  onContractMismatch?: ((error: FeecastContractMismatchError) => void) | undefined
}

export type PredictParameters = {
  chainId: number
  /** Confidence level(s) in percent among `confidenceLevels` (default: all). */
  confidence?: ConfidenceLevel | readonly ConfidenceLevel[] | undefined
  /** Horizon(s) in blocks among `horizons` (default: `defaultHorizons`). */
  withinBlocks?: Horizon | readonly Horizon[] | undefined
  signal?: AbortSignal | undefined
}

export type PredictReturnType = Prediction

export type PredictErrorType =
  | FeecastHttpError
  | FeecastUnavailableError
  | FeecastResponseError
  | FeecastContractMismatchError

export type FeecastClient = {
  readonly url: string
  /** GET /predict: the latest prediction; check `stale` before trusting it. */
  predict(parameters: PredictParameters): Promise<PredictReturnType>
  /** GET /chains */
  chains(parameters?: { signal?: AbortSignal | undefined }): Promise<ChainsBody>
}

const list = (v: number | readonly number[] | undefined) =>
  v === undefined ? undefined : (typeof v === 'number' ? [v] : v).join(',')

/** A typed client for feecast's HTTP API. */
export function createFeecastClient({
  url,
  fetch: fetchFn = globalThis.fetch,
  timeoutMs = 2_000,
  headers = {},
  onContractMismatch = (error) => console.warn(`@feecast/client: ${error.shortMessage}. ${error.details}`),
}: CreateFeecastClientParameters): FeecastClient {
  // Checked now: 'localhost:8080' (no scheme) parses as a URL of scheme 'localhost:' and every call
  // then failed as 'could not be reached'. A path ('/feecast') is a page's own origin, in a browser.
  if (!/^(https?:\/\/[^/]|\/(?!\/))/i.test(url)) throw new FeecastUrlError(url)
  const base = url.replace(/\/+$/, '')
  let mismatchTold = false

  const checkContract = (response: Response) => {
    const served = response.headers.get(contractHeader)
    if (served === null || served === contractVersion) return
    const mismatch = new FeecastContractMismatchError(contractVersion, served)
    if (mismatch.breaking) throw mismatch
    if (!mismatchTold) {
      mismatchTold = true
      onContractMismatch(mismatch)
    }
  }

  async function get<T>(path: string, signal: AbortSignal | undefined, isBody: (b: unknown) => b is T) {
    const timeout = AbortSignal.timeout(timeoutMs)
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
    let response: Response
    let body: unknown
    try {
      response = await fetchFn(`${base}${path}`, {
        headers: { accept: 'application/json', ...headers },
        signal: combined,
      })
      body = await response.json().catch(() => undefined)
    } catch (error) {
      if (signal?.aborted) throw error
      throw new FeecastUnavailableError(
        timeout.aborted ? `feecast did not answer within ${timeoutMs} ms` : 'feecast could not be reached',
        { cause: error, details: `GET ${path}` },
      )
    }
    checkContract(response)
    if (!response.ok)
      throw new FeecastHttpError(
        response.status,
        body as ErrorBody | undefined,
        response.headers.get('retry-after'),
      )
    if (!isBody(body))
      throw new FeecastResponseError(
        `feecast answered GET ${path} with a body this client does not understand`,
      )
    return body
  }

  return {
    url: base,
    predict({ chainId, confidence, withinBlocks, signal }) {
      const query = new URLSearchParams({ chainId: String(chainId) })
      const c = list(confidence)
      const w = list(withinBlocks)
      if (c !== undefined) query.set('confidence', c)
      if (w !== undefined) query.set('withinBlocks', w)
      return get(`/predict?${query.toString().replace(/%2C/g, ',')}`, signal, isPrediction)
    },
    chains({ signal } = {}) {
      return get('/chains', signal, isChainsBody)
    },
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** Enough of a Prediction to use it: the fields a wallet reads. (The server validates the rest.) */
function isPrediction(body: unknown): body is Prediction {
  return (
    isObject(body) &&
    typeof body.chainId === 'number' &&
    typeof body.blockNumber === 'number' &&
    typeof body.stale === 'boolean' &&
    typeof body.pendingBaseFeePerGas === 'string' &&
    Array.isArray(body.estimates) &&
    body.estimates.every(
      (e) =>
        isObject(e) &&
        typeof e.confidence === 'number' &&
        typeof e.withinBlocks === 'number' &&
        typeof e.maxFeePerGas === 'string' &&
        typeof e.maxPriorityFeePerGas === 'string',
    )
  )
}

function isChainsBody(body: unknown): body is ChainsBody {
  return isObject(body) && Array.isArray(body.chains)
}

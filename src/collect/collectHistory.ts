import {
  BlockNotFoundError,
  createPublicClient,
  http,
  InvalidParamsRpcError,
  MethodNotFoundRpcError,
  MethodNotSupportedRpcError,
  type PublicClient,
} from 'viem'
import { FeecastError } from '../errors.js'
import { createRedactor, redactUrl } from '../lib/redact.js'
import { cappedFetch } from '../rpc/cappedFetch.js'
import { ResponseTooLargeError } from '../rpc/errors.js'
import { defaultMaxResponseBytes } from '../rpc/postJsonRpc.js'
import type { HistoryRow } from '../types.js'
import { blockToHistoryRow } from './blockToHistoryRow.js'

export type CollectProgress = { done: number; total: number; missing: number }

export type CollectHistoryParameters = {
  /** JSON-RPC endpoint. Only its redacted form ever appears in messages and errors. */
  rpcUrl: string
  from: number
  /** Inclusive. */
  to: number
  /** Requests in flight at once. Default 4. */
  concurrency?: number
  /** Retries of a failed request (jittered exponential backoff). Default 3. */
  retries?: number
  /** Timeout of one request, ms. Default 10 s. */
  timeoutMs?: number
  /** First backoff, ms (doubles each retry, ×0.5–1.5 jitter). Default 250. */
  retryDelayMs?: number
  /** Largest response body read (bytes); past it the read is cut off and the block fails. Default 8 MiB. */
  maxResponseBytes?: number
  onProgress?: (progress: CollectProgress) => void
  signal?: AbortSignal
}

export type CollectHistoryReturnType = {
  /** Ascending block numbers. */
  rows: HistoryRow[]
  /** Blocks the endpoint does not have (null: pruned, not yet mined): left out of `rows`. */
  missing: number[]
}

export class CollectError extends FeecastError {
  override name = 'CollectError'
  readonly blockNumber: number | undefined
  constructor(shortMessage: string, options: { details?: string; blockNumber?: number } = {}) {
    super(shortMessage, options.details === undefined ? {} : { details: options.details })
    this.blockNumber = options.blockNumber
  }
}

/** viem's short message, or the cap a body passed (viem wraps it as "HTTP request failed"). */
function describeFailure(error: unknown): string {
  const tooLarge = causeOf(error, ResponseTooLargeError)
  if (tooLarge) return tooLarge.message
  return (error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error)
}

/** The error, or the cause it wraps, that is of the given class. */
function causeOf<E extends Error>(error: unknown, kind: new (...args: never[]) => E): E | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof kind) return e
  return undefined
}

/** Errors that will not go away by asking again (an endpoint that sent a body past the cap will again). */
const permanent = (error: unknown) =>
  causeOf(error, ResponseTooLargeError) !== undefined ||
  error instanceof InvalidParamsRpcError ||
  error instanceof MethodNotFoundRpcError ||
  error instanceof MethodNotSupportedRpcError

/**
 * Reads blocks `from`..`to` (full, for their transactions' tips) from any JSON-RPC endpoint and
 * returns them as history-file rows. Requests run `concurrency` at a time with retries; blocks the
 * endpoint answers null for are left out. Any other failure, after its retries, fails the whole
 * collection with a CollectError whose text has the URL redacted (viem's own messages quote it whole).
 */
export async function collectHistory({
  rpcUrl,
  from,
  to,
  concurrency = 4,
  retries = 3,
  timeoutMs = 10_000,
  retryDelayMs = 250,
  maxResponseBytes = defaultMaxResponseBytes,
  onProgress,
  signal,
}: CollectHistoryParameters): Promise<CollectHistoryReturnType> {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from)
    throw new CollectError(`invalid block range ${from}..${to}`, {
      details: 'from and to are block numbers, from <= to.',
    })
  const endpoint = redactUrl(rpcUrl)
  const redact = createRedactor({ urls: [rpcUrl] })
  const client = createCollectClient(rpcUrl, timeoutMs, maxResponseBytes, redact)

  const total = to - from + 1
  const rows: HistoryRow[] = []
  const missing: number[] = []
  let next = from
  let done = 0
  let failure: CollectError | undefined

  const aborted = () => signal?.aborted === true
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          resolve()
        },
        { once: true },
      )
    })

  const fetchOne = async (number: number): Promise<HistoryRow | null> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const block = await client.getBlock({ blockNumber: BigInt(number), includeTransactions: true })
        return blockToHistoryRow(block)
      } catch (error) {
        if (error instanceof BlockNotFoundError) return null
        if (permanent(error) || attempt >= retries || aborted() || failure) {
          throw new CollectError(`block ${number} from ${endpoint} failed after ${attempt + 1} attempt(s)`, {
            details: redact(describeFailure(error)),
            blockNumber: number,
          })
        }
        await sleep(retryDelayMs * 2 ** attempt * (0.5 + Math.random()))
      }
    }
  }

  const worker = async () => {
    while (!failure && !aborted() && next <= to) {
      const number = next++
      try {
        const row = await fetchOne(number)
        if (row) rows.push(row)
        else missing.push(number)
        done++
        onProgress?.({ done, total, missing: missing.length })
      } catch (error) {
        failure ??=
          error instanceof CollectError
            ? error
            : new CollectError(`block ${number} from ${endpoint} failed`, {
                details: redact(String(error)),
              })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, worker))
  if (failure) throw failure
  if (aborted())
    throw new CollectError(`collection from ${endpoint} was interrupted after ${done} of ${total} blocks`)

  rows.sort((a, b) => a.number - b.number)
  missing.sort((a, b) => a - b)
  return { rows, missing }
}

/** viem's client on the endpoint, its bodies read under the cap; a URL viem refuses fails redacted. */
function createCollectClient(
  rpcUrl: string,
  timeoutMs: number,
  maxResponseBytes: number,
  redact: (text: string) => string,
): PublicClient {
  try {
    // viem's own retries are off: collectHistory retries with jitter and knows which errors are final.
    return createPublicClient({
      transport: http(rpcUrl, {
        retryCount: 0,
        timeout: timeoutMs,
        fetchFn: cappedFetch({ maxBytes: maxResponseBytes }),
      }),
    })
  } catch (error) {
    throw new CollectError(`cannot use the RPC endpoint ${redactUrl(rpcUrl)}`, {
      details: redact(String(error)),
    })
  }
}

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

/** Errors that will not go away by asking again. */
const permanent = (error: unknown) =>
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
  onProgress,
  signal,
}: CollectHistoryParameters): Promise<CollectHistoryReturnType> {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from)
    throw new CollectError(`invalid block range ${from}..${to}`, {
      details: 'from and to are block numbers, from <= to.',
    })
  const endpoint = redactUrl(rpcUrl)
  const redact = createRedactor({ urls: [rpcUrl] })
  let client: PublicClient
  try {
    // viem's own retries are off: the loop below retries with jitter and knows which errors are final.
    client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: timeoutMs }) })
  } catch (error) {
    throw new CollectError(`cannot use the RPC endpoint ${endpoint}`, {
      details: redact(String(error)),
    })
  }

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
          const short =
            (error as { shortMessage?: string }).shortMessage ?? (error as Error).message ?? String(error)
          throw new CollectError(`block ${number} from ${endpoint} failed after ${attempt + 1} attempt(s)`, {
            details: redact(short),
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

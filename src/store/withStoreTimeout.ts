import { withTimeout } from '../lib/withTimeout.js'
import { StoreTimeoutError } from './errors.js'

/**
 * A store call bounded in time: with Redis down, ioredis would queue it for as long as Redis is away.
 * Rejects with StoreTimeoutError naming `what`; the call itself may still land later, which the store's
 * writes allow (they are idempotent and fenced).
 */
export function withStoreTimeout<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  return withTimeout(
    promise,
    timeoutMs,
    () => new StoreTimeoutError(`Redis did not answer ${what} within ${timeoutMs} ms`),
  )
}

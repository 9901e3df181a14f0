export type BackoffParameters = {
  /** The first pause after a failure (ms). Default 1000. */
  initialMs?: number | undefined
  /** The longest pause (ms); each failure in a row doubles it up to this. Default 60000. */
  maxMs?: number | undefined
}

export type Backoff = {
  /** ms left before the next attempt may be made; 0 when one may be made now. */
  remaining(now: number): number
  /** Consecutive failures so far. */
  readonly failures: number
  /** The last failure, while backing off. */
  readonly lastError: unknown
  /** A failure: pause for the next step (or `atLeastMs`, e.g. the server's Retry-After, if longer). */
  fail(now: number, error: unknown, atLeastMs?: number): void
  succeed(): void
}

/**
 * Remembers failures so a caller can skip a failing service for a short, growing pause instead of
 * paying its timeout on every call: 1 s, 2 s, 4 s ... up to `maxMs`, reset by a success.
 */
export function createBackoff({ initialMs = 1_000, maxMs = 60_000 }: BackoffParameters = {}): Backoff {
  let failures = 0
  let until = 0
  let lastError: unknown
  return {
    remaining: (now) => Math.max(0, until - now),
    get failures() {
      return failures
    },
    get lastError() {
      return lastError
    },
    fail(now, error, atLeastMs = 0) {
      failures++
      lastError = error
      const step = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30))
      until = now + Math.max(step, Math.min(atLeastMs, maxMs))
    },
    succeed() {
      failures = 0
      until = 0
      lastError = undefined
    },
  }
}

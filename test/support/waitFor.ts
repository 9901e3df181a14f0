export type WaitForOptions = {
  /** Give up after this long (ms). */
  timeoutMs: number
  /** Between attempts (ms, default 100). */
  intervalMs?: number
  /** Says what was awaited when it did not happen. */
  message: string | (() => string)
}

/**
 * Polls until `condition` returns a value other than undefined/false/null and returns that value, or fails
 * with the message. A throwing condition counts as not yet (its last error is reported). No test asserts on
 * how long something took; they bound how long they wait.
 */
export async function waitFor<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs, intervalMs = 100, message }: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await condition()
      if (value !== undefined && value !== null && value !== false) return value
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) {
      const text = typeof message === 'function' ? message() : message
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${text}${suffix}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

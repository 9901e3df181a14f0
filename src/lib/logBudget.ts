export type LogBudgetParameters = {
  /** Lines allowed per window. */
  lines: number
  windowMs: number
  /** Called when a window that went over ends: how many lines were left out. */
  onSuppressed: (suppressed: number, windowMs: number) => void
  /** Runs `flush` after `ms` (default: an unref'd timer, which never holds the process open). */
  later?: (flush: () => void, ms: number) => void
}

export type LogBudget = {
  /** Whether a line may be written at `now` (ms); a refused one is counted for onSuppressed. */
  take(now: number): boolean
}

const unrefTimer = (flush: () => void, ms: number): void => {
  setTimeout(flush, ms).unref()
}

/**
 * A bound on lines a client can make the service write: an attacker's requests cost it one log line each
 * otherwise, at whatever rate it sends (a rate limit makes the request cheap, the line undid that). Past
 * the budget, lines are counted and summed up in one line when the window ends, by a timer: a flood that
 * stops must still be told, not wait for the next failure, which may come hours later.
 */
export function createLogBudget({
  lines,
  windowMs,
  onSuppressed,
  later = unrefTimer,
}: LogBudgetParameters): LogBudget {
  let windowStart = Number.NEGATIVE_INFINITY
  let written = 0
  let suppressed = 0
  let flushPending = false
  const flush = () => {
    flushPending = false
    if (suppressed === 0) return
    onSuppressed(suppressed, windowMs)
    suppressed = 0
  }
  return {
    take(now) {
      if (now - windowStart >= windowMs) {
        flush()
        windowStart = now
        written = 0
      }
      if (written < lines) {
        written++
        return true
      }
      suppressed++
      if (!flushPending) {
        flushPending = true
        later(flush, windowStart + windowMs - now)
      }
      return false
    },
  }
}

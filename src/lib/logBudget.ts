export type LogBudgetParameters = {
  /** Lines allowed per window. */
  lines: number
  windowMs: number
  /** Called at the first line of a window after one that went over: how many lines were left out. */
  onSuppressed: (suppressed: number, windowMs: number) => void
}

export type LogBudget = {
  /** Whether a line may be written at `now` (ms); a refused one is counted for onSuppressed. */
  take(now: number): boolean
}

/**
 * A bound on lines a client can make the service write: an attacker's requests cost it one log line each
 * otherwise, at whatever rate it sends (a rate limit makes the request cheap, the line undid that). Past
 * the budget, lines are counted and summed up in one line when the next window opens.
 */
export function createLogBudget({ lines, windowMs, onSuppressed }: LogBudgetParameters): LogBudget {
  let windowStart = Number.NEGATIVE_INFINITY
  let written = 0
  let suppressed = 0
  return {
    take(now) {
      if (now - windowStart >= windowMs) {
        if (suppressed > 0) onSuppressed(suppressed, windowMs)
        windowStart = now
        written = 0
        suppressed = 0
      }
      if (written < lines) {
        written++
        return true
      }
      suppressed++
      return false
    },
  }
}

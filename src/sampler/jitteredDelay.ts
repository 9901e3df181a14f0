/**
 * "Full jitter" backoff: a uniform delay in [0, min(maxMs, baseMs·2^(attempt-1))], so replicas that failed
 * together (a Redis restart) do not retry together.
 */
export function jitteredDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(cap * random())
}

import { FeecastError } from '../errors.js'
import { causeOf } from '../lib/causeOf.js'

/**
 * Why the sampler keeps failing, as the chain's health says it (/readyz): feecast's own error behind the
 * failure (viem wraps the transport's errors in its own, and its messages may quote a request), in one
 * line, without the ask counters ('asked 2 time(s)') so the reason changes only when the failure does
 * and the health is not rewritten on every retry.
 */
export function failingReason(error: unknown): string {
  const cause = causeOf(error, FeecastError)
  if (cause === undefined) return 'unexpected error'
  return [cause.shortMessage, cause.details]
    .filter(Boolean)
    .join(': ')
    .replace(/ ?\(asked \d+(\/\d+)? time\(s\)\)/g, '')
}

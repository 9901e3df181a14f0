/**
 * The first error of `type` along an error's causes, itself included (viem wraps the transport's errors in
 * its own, one or more deep). Bounded: a cause chain that loops ends the search.
 */
export function causeOf<T>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof type) return e
  return undefined
}

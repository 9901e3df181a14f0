import type { Step } from '../core/pipeline.js'
import { errorAnswer } from '../httpErrors.js'

/** A Host header a URL can be built from: a name or IPv4 address, or a bracketed IPv6 one, and a port. */
const validHost = /^(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9._-]{1,253})(:[0-9]{1,5})?$/

/**
 * HTTP/1.1 requests must name their host (RFC 9112): a missing or malformed Host is answered 400, in
 * JSON with the request's id (Node's own check would answer an empty 400 without one).
 */
export function hostHeader(): Step {
  // Clients send one Host over and over: the last good one is known good without the pattern.
  let lastValid: string | undefined
  return (c) => {
    const host = c.headers.host
    if (host !== undefined && (host === lastValid || validHost.test(host))) {
      lastValid = host
      return undefined
    }
    return errorAnswer(c, 400, 'bad_request', 'The Host header is missing or malformed')
  }
}

import { requestHeader, setResponseHeader } from '../nodeHeaders.js'
import type { Step } from './edge.js'

export type CorsParameters = {
  /** Allowed origins, or '*' for any. */
  origins: '*' | readonly string[]
  allowMethods?: readonly string[]
  allowHeaders?: readonly string[]
  exposeHeaders?: readonly string[]
  maxAgeSeconds?: number
}

/**
 * CORS for browser wallets. Headers are set before the handler runs (setResponseHeader), so they land
 * on every answer, errors included, without rebuilding the Response afterwards: hono/cors reads `c.res`
 * first, which on Node turns each answer into a full WHATWG Response and cost half the throughput.
 * A preflight (OPTIONS with Access-Control-Request-Method) is answered 204 here.
 */
export function cors({
  origins,
  allowMethods = ['GET', 'HEAD', 'OPTIONS'],
  allowHeaders = [],
  exposeHeaders = [],
  maxAgeSeconds = 86_400,
}: CorsParameters): Step {
  const methods = allowMethods.join(', ')
  const exposed = exposeHeaders.join(', ')
  const allowedHeaders = new Set(allowHeaders.map((h) => h.toLowerCase()))
  return (c) => {
    const origin = requestHeader(c, 'origin')
    const headers = corsHeaders(origins, origin, exposed)
    for (const [name, value] of headers) setResponseHeader(c, name, value)
    if (!headers.some(([name]) => name === 'Access-Control-Allow-Origin')) return undefined
    if (
      c.req.method === 'OPTIONS' &&
      origin !== undefined &&
      requestHeader(c, 'access-control-request-method') !== undefined
    ) {
      const requested = (requestHeader(c, 'access-control-request-headers') ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter((h) => h !== '' && allowedHeaders.has(h.toLowerCase()))
      return c.body(null, 204, {
        'Access-Control-Allow-Methods': methods,
        ...(requested.length > 0 ? { 'Access-Control-Allow-Headers': requested.join(', ') } : {}),
        'Access-Control-Max-Age': String(maxAgeSeconds),
      })
    }
    return undefined
  }
}

/**
 * The CORS headers of an answer to a request from `origin` (undefined: no Origin header), `exposed`
 * being the comma-separated exposed header names. Shared by the middleware and the /predict fast path.
 */
export function corsHeaders(
  origins: CorsParameters['origins'],
  origin: string | undefined,
  exposed: string,
): Array<[string, string]> {
  const headers: Array<[string, string]> = []
  if (origins !== '*') headers.push(['Vary', 'Origin'])
  const allowOrigin =
    origins === '*' ? '*' : origin !== undefined && origins.includes(origin) ? origin : undefined
  if (allowOrigin === undefined) return headers
  headers.push(['Access-Control-Allow-Origin', allowOrigin])
  if (exposed !== '') headers.push(['Access-Control-Expose-Headers', exposed])
  return headers
}

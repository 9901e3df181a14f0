import { type Answer, empty } from '../core/answer.js'
import type { Context } from '../core/context.js'
import type { Step } from '../core/pipeline.js'

export type CorsParameters = {
  /** Allowed origins, or '*' for any. */
  origins: '*' | readonly string[]
  allowMethods?: readonly string[]
  allowHeaders?: readonly string[]
  exposeHeaders?: readonly string[]
  maxAgeSeconds?: number
}

/**
 * CORS for browser wallets: the allow/expose headers on every answer, errors included, and a preflight
 * (OPTIONS with Origin and Access-Control-Request-Method) answered 204 with the allowed methods and
 * those of the requested headers that are allowed.
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
  // Without an allow-list the headers never depend on the request: made once.
  const fixed = origins === '*' ? corsHeaders('*', undefined, exposed) : undefined
  return (c) => {
    const headers = fixed ?? corsHeaders(origins, c.headers.origin, exposed)
    for (let i = 0; i < headers.length; i++) c.responseHeaders.push(headers[i] as string)
    if (headers.length === 0 || (headers[0] === 'Vary' && headers.length === 2)) return undefined
    return c.method === 'OPTIONS' ? preflight(c, methods, allowedHeaders, maxAgeSeconds) : undefined
  }
}

function preflight(
  c: Context,
  methods: string,
  allowed: ReadonlySet<string>,
  maxAgeSeconds: number,
): Answer | undefined {
  if (c.headers.origin === undefined || c.headers.accessControlRequestMethod === undefined) return undefined
  const requested = (c.headers.accessControlRequestHeaders ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '' && allowed.has(h.toLowerCase()))
  return empty(204, [
    'Access-Control-Allow-Methods',
    methods,
    ...(requested.length > 0 ? ['Access-Control-Allow-Headers', requested.join(', ')] : []),
    'Access-Control-Max-Age',
    String(maxAgeSeconds),
  ])
}

/**
 * The CORS headers of an answer to a request from `origin` (undefined: no Origin header), `exposed`
 * being the comma-separated exposed header names, as a flat [name, value, ...] list.
 */
export function corsHeaders(
  origins: CorsParameters['origins'],
  origin: string | undefined,
  exposed: string,
): string[] {
  const headers: string[] = []
  if (origins !== '*') headers.push('Vary', 'Origin')
  const allowOrigin =
    origins === '*' ? '*' : origin !== undefined && origins.includes(origin) ? origin : undefined
  if (allowOrigin === undefined) return headers
  headers.push('Access-Control-Allow-Origin', allowOrigin)
  if (exposed !== '') headers.push('Access-Control-Expose-Headers', exposed)
  return headers
}

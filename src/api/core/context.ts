import type { IncomingMessage } from 'node:http'
// Imported, not the global: Node's global `performance` is a getter, read through an IC miss on every request.
import { performance } from 'node:perf_hooks'
import type { FeedEntry } from '../predictionFeed.js'
import { type RequestHeaders, readRequestHeaders } from './requestHeaders.js'

/**
 * One request as the API's middleware and routes see it: Node's request, its target split once, the
 * headers the API reads (readRequestHeaders), the clock read once, and what the middleware decided on
 * the way (route pattern, request id, client, headers for the answer).
 */
export type Context = {
  readonly req: IncomingMessage
  readonly method: string
  /** The request target as sent (path and query). */
  readonly target: string
  /** The target's path, without the query string. */
  readonly path: string
  readonly headers: RequestHeaders
  /** The request's clock reading (ms since the epoch): every answer of one request uses this instant. */
  readonly now: number
  /** performance.now() at arrival, for the duration. */
  readonly startedAt: number
  /** The route pattern (a bounded label for metrics and logs), or 'unmatched'. */
  route: string
  /** Path parameters of the route (e.g. chainId). */
  params: Readonly<Record<string, string>>
  /** Set by the requestId middleware. */
  requestId: string | undefined
  /** The id of the API key the request came with (API keys on), never the key. */
  apiKeyId: string | undefined
  /** Headers every answer to this request carries, set by middleware: [name, value, name, value ...]. */
  readonly responseHeaders: string[]
  /** The prediction the route answered from (lookupChain), for the request's trace span to link to. */
  servedFrom: FeedEntry | undefined
}

/** Most routes have no path parameters: one shared, frozen empty set. */
const noParams: Readonly<Record<string, string>> = Object.freeze({})

export function createContext(req: IncomingMessage, now: number): Context {
  const target = req.url ?? '/'
  const query = target.indexOf('?')
  return {
    req,
    method: req.method ?? 'GET',
    target,
    path: query < 0 ? target : target.slice(0, query),
    headers: readRequestHeaders(req.rawHeaders),
    now,
    startedAt: performance.now(),
    route: 'unmatched',
    params: noParams,
    requestId: undefined,
    apiKeyId: undefined,
    responseHeaders: [],
    servedFrom: undefined,
  }
}

/** Adds a header to every answer of this request (from middleware, before the route answers). */
export function setHeader(c: Context, name: string, value: string): void {
  c.responseHeaders.push(name, value)
}

import type { IncomingMessage, ServerResponse } from 'node:http'
import { contractHeader, contractVersion } from '@feecast/client'
import type { Logger } from '../lib/logger.js'
import type { TrustedProxies } from '../lib/trustedProxies.js'
import { type ObserveHttpRequestParameters, observeHttpRequest } from '../metrics/metrics.js'
import { etagMatches } from './conditional.js'
import { logRequest } from './middleware/accessLog.js'
import type { ApiKeys } from './middleware/apiKeys.js'
import { type CorsParameters, corsHeaders } from './middleware/cors.js'
import { clientAddressFrom, type TokenBuckets } from './middleware/rateLimit.js'
import { requestIdFor } from './middleware/requestId.js'
import { type PredictRequest, predictHeaders, renderedPredict, resolvePredictQuery } from './predictAnswer.js'
import type { PredictionFeed } from './predictionFeed.js'
import { parseQuery } from './query.js'

/**
 * The hot path of the API: GET /predict for a served chain with a prediction, answered straight on
 * Node's request and response. Wallets poll this route; through Hono and its adapter (a Request, a
 * Response, a Context per request) it cost 49 µs of CPU against 28 µs for a bare node:http server
 * answering the same bytes (bench/api.ts).
 *
 * It answers only the plain case, with the same pure steps and shared state as the Hono route
 * (predictAnswer.ts, the CORS headers, the rate limiter's buckets, the request-id generator, the
 * metrics), and hands everything else to Hono by returning false: other routes and methods, a bad or
 * unknown query, an unknown chain, no prediction yet, a body, an over-long target, a client over its
 * rate limit, shutdown. test/api-fast-path.test.ts checks both paths answer the same.
 */
export type CreateFastPredictParameters = {
  feed: PredictionFeed
  /** As config.api.corsOrigins. */
  corsOrigins: CorsParameters['origins']
  /** Access-Control-Expose-Headers value (comma-separated names). */
  corsExposed: string
  /** Reverse proxies whose X-Forwarded-For is believed. */
  isTrustedProxy: TrustedProxies
  /** The rate limiter's buckets, shared with the Hono middleware. */
  buckets: TokenBuckets
  /** The API keys (shared with the Hono middleware); when on, a request needs a known key. */
  apiKeys?: ApiKeys
  generateRequestId: () => string
  isDraining: () => boolean
  maxUrlLength: number
  logger: Logger
  now?: () => number
  observe?: (p: ObserveHttpRequestParameters) => void
}

/** Answers the request and returns true, or returns false having written nothing. */
export type FastPredict = (req: IncomingMessage, res: ServerResponse) => boolean

/** Distinct query strings remembered (resolved); past this the memory is cleared and refilled. */
const maxRememberedQueries = 1024

export function createFastPredict({
  feed,
  corsOrigins,
  corsExposed,
  isTrustedProxy,
  buckets,
  apiKeys,
  generateRequestId,
  isDraining,
  maxUrlLength,
  logger,
  now = Date.now,
  observe = observeHttpRequest,
}: CreateFastPredictParameters): FastPredict {
  const requests = new Map<string, PredictRequest>()
  // Without an allow-list the CORS headers never depend on the request: flatten them once.
  const fixedCors = corsOrigins === '*' ? corsHeaders('*', undefined, corsExposed).flat() : undefined

  const resolve = (target: string): PredictRequest | undefined => {
    let request = requests.get(target)
    if (request === undefined) {
      const resolved = resolvePredictQuery(parseQuery(target))
      if (!resolved.ok) return undefined
      request = resolved.request
      if (requests.size >= maxRememberedQueries) requests.clear()
      requests.set(target, request)
    }
    return request
  }

  return (req, res) => {
    const start = performance.now()
    const target = req.url ?? ''
    if (
      req.method !== 'GET' ||
      !target.startsWith('/predict') ||
      (target.length > 8 && target.charCodeAt(8) !== 63) || // '?'
      target.length > maxUrlLength ||
      isDraining()
    )
      return false
    const headers = readHeaders(req.rawHeaders)
    if (headers === undefined) return false
    const request = resolve(target)
    if (request === undefined) return false
    const entry = feed.get(request.chainId)
    if (entry === undefined) return false
    // Last, since it takes a token: a refused client is answered (401, 429) by the Hono path.
    let keyId: string | undefined
    if (apiKeys?.enabled) {
      const found = apiKeys.identify(headers.authorization, headers.apiKey)
      if (!found.ok || apiKeys.take(found.key) !== undefined) return false
      keyId = found.key.id
    } else if (
      buckets.take(clientAddressFrom(headers.forwardedFor, req.socket.remoteAddress, isTrustedProxy)) !==
      undefined
    )
      return false

    const requestId = requestIdFor(headers.requestId, generateRequestId)
    const { etag, cacheControl, age } = predictHeaders(entry, request, now())
    const cors = fixedCors ?? corsHeaders(corsOrigins, headers.origin, corsExposed).flat()
    let status: number
    if (etagMatches(headers.ifNoneMatch, etag)) {
      status = 304
      res.writeHead(304, [
        'ETag',
        etag,
        'Cache-Control',
        cacheControl,
        'X-Request-Id',
        requestId,
        contractHeader,
        contractVersion,
        ...cors,
      ])
      res.end()
    } else {
      status = 200
      const { body, contentLength } = renderedPredict(entry, request, age)
      res.writeHead(200, [
        'Content-Type',
        'application/json',
        'Content-Length',
        contentLength,
        'ETag',
        etag,
        'Cache-Control',
        cacheControl,
        'X-Request-Id',
        requestId,
        contractHeader,
        contractVersion,
        ...cors,
      ])
      res.end(body)
    }
    const durationSeconds = (performance.now() - start) / 1000
    observe({ route: '/predict', method: 'GET', status, durationSeconds })
    logRequest(logger, {
      reqId: requestId,
      keyId,
      method: 'GET',
      route: '/predict',
      path: '/predict',
      status,
      durationSeconds,
    })
    return true
  }
}

/** The request headers the fast path reads. */
type FastHeaders = {
  ifNoneMatch: string | undefined
  origin: string | undefined
  requestId: string | undefined
  forwardedFor: string | undefined
  authorization: string | undefined
  apiKey: string | undefined
}

/**
 * The headers the fast path needs, read from Node's raw list: `req.headers` builds an object of every
 * header, which cost more than the rest of the lookup. Undefined (hand the request to Hono) when the
 * request has a body, or repeats one of these headers (Node would join the copies; Hono sees that).
 */
export function readHeaders(raw: readonly string[]): FastHeaders | undefined {
  const found: FastHeaders = {
    ifNoneMatch: undefined,
    origin: undefined,
    requestId: undefined,
    forwardedFor: undefined,
    authorization: undefined,
    apiKey: undefined,
  }
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    // Lengths first: most headers (host, accept, user-agent) are passed over without lower-casing.
    if (!readLengths.has(name.length)) continue
    const key = readNames.get(name.toLowerCase())
    if (key === undefined) continue
    if (key === 'body' || found[key] !== undefined) return undefined
    found[key] = raw[i + 1]!
  }
  return found
}

/** The headers readHeaders looks for, lower-case; 'body' ones hand the request over. */
const readNames = new Map<string, keyof FastHeaders | 'body'>([
  ['origin', 'origin'],
  ['x-request-id', 'requestId'],
  ['if-none-match', 'ifNoneMatch'],
  ['x-forwarded-for', 'forwardedFor'],
  ['authorization', 'authorization'],
  ['x-api-key', 'apiKey'],
  ['content-length', 'body'],
  ['transfer-encoding', 'body'],
])
const readLengths = new Set([...readNames.keys()].map((name) => name.length))

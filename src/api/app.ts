import { createRequire } from 'node:module'
import { type ChainsBody, confidenceLevels, contractHeader, horizons } from '@feecast/client'
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { chainProfile } from '../chains/chains.js'
import type { ApiConfig } from '../config.js'
import type { Logger } from '../lib/logger.js'
import { trustedProxies } from '../lib/trustedProxies.js'
import {
  metricsContentType,
  recordApiKeyRejection,
  registerApiKeys,
  renderMetrics,
} from '../metrics/metrics.js'
import { cacheControlFor, etagFor, etagMatches } from './conditional.js'
import type { ApiEnv } from './env.js'
import { createFastPredict } from './fastPredict.js'
import { jsonError } from './httpErrors.js'
import { accessLog } from './middleware/accessLog.js'
import { apiKeyAuth, createApiKeys } from './middleware/apiKeys.js'
import { contract } from './middleware/contract.js'
import { cors } from './middleware/cors.js'
import { draining } from './middleware/draining.js'
import { createEdge, type Handler } from './middleware/edge.js'
import { httpMetrics } from './middleware/httpMetrics.js'
import { clientAddress, createTokenBuckets, rateLimit } from './middleware/rateLimit.js'
import { createIdGenerator, requestId, requestIdFor } from './middleware/requestId.js'
import { defaultMaxUrlLength, requestLimits } from './middleware/requestLimits.js'
import { requestHeader } from './nodeHeaders.js'
import { predictBody, predictHeaders, resolvePredictQuery } from './predictAnswer.js'
import type { FeedEntry, PredictionFeed } from './predictionFeed.js'
import { parseQuery } from './query.js'
import {
  BlocknativeQuerySchema,
  BlocknativeSchema,
  ChainsSchema,
  ErrorSchema,
  GasStationParamsSchema,
  GasStationSchema,
  HealthSchema,
  MetaMaskParamsSchema,
  MetaMaskSchema,
  PredictionSchema,
  PredictQuerySchema,
  type ReadyBody,
  ReadySchema,
} from './schemas.js'
import { dataAge, toBlocknative, toGasStation, toMetaMask } from './shapes.js'

const packageVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version

export type CreateApiAppParameters = {
  feed: PredictionFeed
  logger: Logger
  /** Limits, CORS and proxy settings (config.api); defaults as in config.ts. */
  api?: Partial<ApiConfig> | undefined
  /** Hides configured secrets in text that comes from elsewhere (the sampler's reasons on /readyz). */
  redact?: ((text: string) => string) | undefined
  /** True once shutdown has begun: /readyz fails and answers close their connection. */
  isDraining?: (() => boolean) | undefined
  now?: (() => number) | undefined
}

/**
 * Request headers browsers may send cross-origin (the preflight allows them): those the clients of the
 * compatible shapes send (MetaMask's gas-fee-controller X-Client-Id, and Content-Type on its legacy
 * route; web3-onboard's Authorization; ethers' User-Agent), feecast's API keys (Authorization,
 * X-API-Key), request ids, revalidation, and the cache headers fetch wrappers add.
 * test/api-cors-clients.test.ts records what the real clients send and checks each is allowed.
 */
export const corsAllowedHeaders = [
  'Authorization',
  'Cache-Control',
  'Content-Type',
  'If-None-Match',
  'Pragma',
  'User-Agent',
  'X-API-Key',
  'X-Client-Id',
  'X-Request-Id',
]

/** Paths the API serves (for 405 vs 404), as patterns. */
const knownPaths = [
  /^\/predict$/,
  /^\/chains$/,
  /^\/healthz$/,
  /^\/readyz$/,
  /^\/metrics$/,
  /^\/openapi\.json$/,
  /^\/gasprices\/blockprices$/,
  /^\/networks\/[^/]+\/suggestedGasFees$/,
  /^\/gasstation\/[^/]+$/,
]
const unlimitedPaths = new Set(['/healthz', '/readyz', '/metrics'])
/** Paths that need no API key: probes, Prometheus, and the API's own description. */
const openPaths = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json'])
const isEntry = (x: FeedEntry | Response): x is FeedEntry => 'prediction' in x

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})
const errorResponse = (description: string) => json(ErrorSchema, description)
const notModified = { description: 'Not modified since the ETag given in If-None-Match (same block)' }

const predictRoute = createRoute({
  method: 'get',
  path: '/predict',
  summary: 'Fees for inclusion within N blocks with probability p',
  request: { query: PredictQuerySchema },
  responses: {
    200: json(
      PredictionSchema,
      'The latest prediction; `stale: true` when its data is past the freshness bound',
    ),
    304: notModified,
    400: errorResponse('A bad parameter: the error names it and its accepted values'),
    404: errorResponse('A chain this service does not serve'),
    503: errorResponse('No prediction for this chain yet (Retry-After)'),
  },
})

const blocknativeRoute = createRoute({
  method: 'get',
  path: '/gasprices/blockprices',
  summary: "Blocknative-compatible block prices (see README's HTTP API for the mapping)",
  request: { query: BlocknativeQuerySchema },
  responses: {
    200: json(BlocknativeSchema, 'Next-block prices for confidence 99/95/90/80/70, gwei'),
    304: notModified,
    400: errorResponse('A bad parameter'),
    404: errorResponse('A chain this service does not serve'),
    503: errorResponse('No prediction, or stale data (Retry-After)'),
  },
})

const metaMaskRoute = createRoute({
  method: 'get',
  path: '/networks/{chainId}/suggestedGasFees',
  summary: "MetaMask-compatible suggested gas fees (see README's HTTP API for the mapping)",
  request: { params: MetaMaskParamsSchema },
  responses: {
    200: json(MetaMaskSchema, 'low/medium/high suggestions, gwei strings'),
    304: notModified,
    400: errorResponse('A bad parameter'),
    404: errorResponse('A chain this service does not serve'),
    503: errorResponse('No prediction, or stale data (Retry-After)'),
  },
})

const gasStationRoute = createRoute({
  method: 'get',
  path: '/gasstation/{chainId}',
  summary: "Polygon-gas-station-v2-compatible fees, for ethers v6's FetchUrlFeeDataNetworkPlugin (README)",
  request: { params: GasStationParamsSchema },
  responses: {
    200: json(GasStationSchema, 'safeLow/standard/fast maxPriorityFee and maxFee, gwei numbers'),
    304: notModified,
    400: errorResponse('A bad parameter'),
    404: errorResponse('A chain this service does not serve'),
    503: errorResponse('No prediction, or stale data (Retry-After)'),
  },
})

const chainsRoute = createRoute({
  method: 'get',
  path: '/chains',
  summary: 'Configured chains, their head, data age and model',
  responses: { 200: json(ChainsSchema, 'The chains') },
})

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers',
  responses: { 200: json(HealthSchema, 'Alive') },
})

const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: Redis reachable and fresh predictions (a model ran)',
  responses: { 200: json(ReadySchema, 'Ready'), 503: json(ReadySchema, 'Not ready: the reasons say why') },
})

/**
 * The API (no server): a Hono app with every route, validation and middleware, and the fast path that
 * answers plain GET /predict requests before Hono (fastPredict.ts), sharing the app's rate limiter,
 * request ids and CORS settings.
 */
export function createApi({
  feed,
  logger,
  api = {},
  isDraining = () => false,
  now = Date.now,
  redact = (text: string) => text,
}: CreateApiAppParameters) {
  const startedAt = now()
  const isTrustedProxy = trustedProxies(api.trustedProxies ?? [])

  const acceptedFor = (parameter: string): ReadonlyArray<number> | undefined =>
    parameter === 'chainId' || parameter === 'chainid'
      ? feed.chainIds()
      : parameter === 'confidence'
        ? confidenceLevels
        : parameter === 'withinBlocks'
          ? horizons
          : undefined
  const badParameter = (c: Context<ApiEnv>, parameter: string) => {
    const accepted = acceptedFor(parameter)
    const message =
      parameter === 'confidence' || parameter === 'withinBlocks'
        ? `${parameter} must be given once, as a comma-separated list of ${accepted?.join(', ')}`
        : parameter === 'chainId' || parameter === 'chainid'
          ? `${parameter} must be a positive integer chain id${accepted && accepted.length > 0 ? `; served here: ${accepted.join(', ')}` : ''}`
          : `${parameter} is not valid`
    return jsonError(c, 400, 'bad_parameter', message, { parameter, ...(accepted ? { accepted } : {}) })
  }

  const app = new OpenAPIHono<ApiEnv>()

  /**
   * Validates the query (or path parameters) with the route's zod schema, synchronously: the
   * validator middleware of @hono/zod-openapi (async parse, Headers access) cost as much as the whole
   * rest of a /predict answer. A repeated parameter fails as not a string. The 400 names the parameter.
   */
  const validate = <T extends z.ZodType>(
    c: Context<ApiEnv>,
    schema: T,
    values: Record<string, string | string[]>,
  ) => {
    const result = schema.safeParse(values)
    if (result.success) return result.data as z.output<T>
    return badParameter(c, String(result.error.issues[0]?.path[0] ?? 'query'))
  }
  const queryOf = (c: Context<ApiEnv>) => parseQuery(c.env?.incoming?.url ?? c.req.url)
  const corsOrigins = api.corsOrigins ?? '*'
  const exposeHeaders = ['ETag', 'Retry-After', 'X-Request-Id', contractHeader]
  const limits = { perSecond: api.rateLimitPerSecond ?? 20, burst: api.rateLimitBurst ?? 60 }
  const buckets = createTokenBuckets({ ...limits, now })
  // /metrics has its own, lower limit: Prometheus scrapes each target every few seconds; a flood of
  // renders would take the CPU the wallets' requests need.
  const metricsLimits = { perSecond: api.metricsRateLimitPerSecond ?? 1, burst: 10 }
  const generateRequestId = createIdGenerator()
  const apiKeys = createApiKeys(api.apiKeys ?? [], now)
  if (apiKeys.enabled) registerApiKeys()
  const edge = createEdge({
    steps: [
      requestId({ generate: generateRequestId }),
      contract(),
      draining(isDraining),
      cors({ origins: corsOrigins, allowHeaders: corsAllowedHeaders, exposeHeaders }),
      requestLimits({ maxBodyBytes: api.maxRequestBodyBytes ?? 1024, maxUrlLength: defaultMaxUrlLength }),
      // With API keys on, each key has its own limit (taken here) instead of each address.
      apiKeyAuth({
        keys: apiKeys,
        skip: (c) => openPaths.has(c.req.path),
        onReject: recordApiKeyRejection,
      }),
      rateLimit({
        ...limits,
        keyOf: (c) => clientAddress(c, isTrustedProxy),
        skip: (c) => unlimitedPaths.has(c.req.path) || c.get('apiKeyId') !== undefined,
        buckets,
      }),
      rateLimit({
        ...metricsLimits,
        keyOf: (c) => clientAddress(c, isTrustedProxy),
        skip: (c) => c.req.path !== '/metrics',
        buckets: createTokenBuckets({ ...metricsLimits, now }),
      }),
    ],
    observers: [httpMetrics(), accessLog(logger)],
    onError: (error, c) => {
      const e = error instanceof Error ? error : new Error(String(error))
      logger.error(
        { reqId: c.get('requestId'), err: { type: e.name, message: e.message, stack: e.stack } },
        'request failed',
      )
      return jsonError(c, 500, 'internal_error', 'Internal error')
    },
  })

  /** Documents the route in /openapi.json and serves it with `handler`, inside the edge middleware. */
  const route = (config: ReturnType<typeof createRoute>, handler: Handler) => {
    app.openAPIRegistry.registerPath(config)
    const path = config.getRoutingPath()
    app.get(path, edge(path, handler))
  }

  /** The entry of a served chain, or the 404/503 answer. */
  const lookup = (c: Context<ApiEnv>, chainId: number, parameter: string): FeedEntry | Response => {
    if (!feed.isKnownChain(chainId)) {
      if (!feed.status().synced)
        return jsonError(
          c,
          503,
          'not_ready',
          'The list of chains is not known yet (Redis not reached)',
          {},
          { 'Retry-After': '1' },
        )
      return jsonError(c, 404, 'unknown_chain', `Chain ${chainId} is not served here`, {
        parameter,
        accepted: feed.chainIds(),
      })
    }
    const entry = feed.get(chainId)
    if (entry === undefined) {
      const retry = String(Math.max(1, Math.ceil(chainProfile(chainId).blockTimeSeconds)))
      return jsonError(
        c,
        503,
        'no_prediction',
        `No prediction for chain ${chainId} yet`,
        {},
        { 'Retry-After': retry },
      )
    }
    return entry
  }

  /** Headers of a cacheable answer, and the 304 when the client has it already. */
  const conditional = (
    c: Context<ApiEnv>,
    entry: FeedEntry,
    variant: string,
    ageMs: number,
    stale: boolean,
  ) => {
    const profile = chainProfile(entry.prediction.chainId)
    const headers = {
      ETag: etagFor(entry.version, variant, stale),
      'Cache-Control': cacheControlFor(ageMs, profile.blockTimeSeconds, stale),
    }
    const notModified = etagMatches(requestHeader(c, 'if-none-match'), headers.ETag)
      ? c.body(null, 304, headers)
      : undefined
    return { headers, notModified }
  }

  route(predictRoute, (c) => {
    const resolved = resolvePredictQuery(queryOf(c))
    if (!resolved.ok) return badParameter(c, resolved.parameter)
    const { request } = resolved
    const entry = lookup(c, request.chainId, 'chainId')
    if (!isEntry(entry)) return entry
    const { etag, cacheControl, age } = predictHeaders(entry, request, now())
    if (etagMatches(requestHeader(c, 'if-none-match'), etag))
      return c.body(null, 304, { ETag: etag, 'Cache-Control': cacheControl })
    // A plain Response with a plain header object: the adapter's fastest path (no Headers object).
    return new Response(predictBody(entry, request, age), {
      status: 200,
      headers: { 'Content-Type': 'application/json', ETag: etag, 'Cache-Control': cacheControl },
    })
  })

  route(blocknativeRoute, (c) => {
    const query = validate(c, BlocknativeQuerySchema, queryOf(c))
    if (query instanceof Response) return query
    const chainId = Number(query.chainid ?? 1)
    const entry = lookup(c, chainId, 'chainid')
    if (!isEntry(entry)) return entry
    const profile = chainProfile(chainId)
    const t = now()
    const age = dataAge(entry.prediction, t, profile.freshnessSeconds)
    if (age.stale) return staleAnswer(c, chainId, age.ageMs)
    const { headers, notModified } = conditional(c, entry, 'bn', age.ageMs, false)
    if (notModified) return notModified
    const body = toBlocknative(entry.prediction, { now: t })
    if (body === null) return incomplete(c, chainId)
    return c.json(body, 200, headers)
  })

  route(metaMaskRoute, (c) => {
    const params = validate(c, MetaMaskParamsSchema, { chainId: c.req.param('chainId') ?? '' })
    if (params instanceof Response) return params
    const chainId = Number(params.chainId)
    const entry = lookup(c, chainId, 'chainId')
    if (!isEntry(entry)) return entry
    const profile = chainProfile(chainId)
    const age = dataAge(entry.prediction, now(), profile.freshnessSeconds)
    if (age.stale) return staleAnswer(c, chainId, age.ageMs)
    const { headers, notModified } = conditional(c, entry, 'mm', age.ageMs, false)
    if (notModified) return notModified
    let body = entry.memo.get('metamask') as string | null | undefined
    if (body === undefined) {
      const shaped = toMetaMask(entry.prediction, {
        blockTimeSeconds: profile.blockTimeSeconds,
        ignoresTips: profile.ignoresTips,
      })
      body = shaped === null ? null : JSON.stringify(shaped)
      entry.memo.set('metamask', body)
    }
    if (body === null) return incomplete(c, chainId)
    return c.body(body, 200, { 'Content-Type': 'application/json', ...headers })
  })

  route(gasStationRoute, (c) => {
    const params = validate(c, GasStationParamsSchema, { chainId: c.req.param('chainId') ?? '' })
    if (params instanceof Response) return params
    const chainId = Number(params.chainId)
    const entry = lookup(c, chainId, 'chainId')
    if (!isEntry(entry)) return entry
    const profile = chainProfile(chainId)
    const age = dataAge(entry.prediction, now(), profile.freshnessSeconds)
    if (age.stale) return staleAnswer(c, chainId, age.ageMs)
    const { headers, notModified } = conditional(c, entry, 'gs', age.ageMs, false)
    if (notModified) return notModified
    let body = entry.memo.get('gasstation') as string | null | undefined
    if (body === undefined) {
      const shaped = toGasStation(entry.prediction, {
        blockTimeSeconds: profile.blockTimeSeconds,
        ignoresTips: profile.ignoresTips,
      })
      body = shaped === null ? null : JSON.stringify(shaped)
      entry.memo.set('gasstation', body)
    }
    if (body === null) return incomplete(c, chainId)
    return c.body(body, 200, { 'Content-Type': 'application/json', ...headers })
  })

  /** Compatible shapes have no field to say "stale": they answer 503, so wallets use their fallback. */
  const staleAnswer = (c: Context<ApiEnv>, chainId: number, ageMs: number) =>
    jsonError(
      c,
      503,
      'stale_data',
      `The data of chain ${chainId} is ${Math.round(ageMs / 1000)} s old, past its freshness bound of ` +
        `${chainProfile(chainId).freshnessSeconds} s; GET /predict shows it with stale: true`,
      {},
      { 'Retry-After': String(Math.max(1, Math.ceil(chainProfile(chainId).blockTimeSeconds))) },
    )
  const incomplete = (c: Context<ApiEnv>, chainId: number) =>
    jsonError(
      c,
      503,
      'no_prediction',
      `The prediction of chain ${chainId} lacks the estimates this shape needs`,
      {},
      {
        'Retry-After': String(Math.max(1, Math.ceil(chainProfile(chainId).blockTimeSeconds))),
      },
    )

  route(chainsRoute, (c) => {
    const t = now()
    const chains: ChainsBody['chains'] = feed.chainIds().map((chainId) => {
      const profile = chainProfile(chainId)
      const p = feed.get(chainId)?.prediction
      const age = p ? dataAge(p, t, profile.freshnessSeconds) : null
      return {
        chainId,
        name: profile.name,
        blockNumber: p?.blockNumber ?? null,
        timestamp: p?.timestamp ?? null,
        ageMs: age?.ageMs ?? null,
        stale: age?.stale ?? true,
        freshnessSeconds: profile.freshnessSeconds,
        model: p?.model ?? null,
        trust: p?.trust.label ?? null,
      }
    })
    return c.json({ chains }, 200, { 'Cache-Control': 'no-cache' })
  })

  route(healthRoute, (c) =>
    c.json({ status: 'ok' as const, uptimeSeconds: Math.round((now() - startedAt) / 1000) }, 200, {
      'Cache-Control': 'no-store',
    }),
  )

  route(readyRoute, (c) => {
    const t = now()
    const status = feed.status()
    const reasons: string[] = []
    if (isDraining()) reasons.push('shutting down')
    if (!status.redisUp) reasons.push('redis unreachable')
    const chains: ReadyBody['chains'] = feed.chainIds().map((chainId) => {
      const p = feed.get(chainId)?.prediction
      const age = p ? dataAge(p, t, chainProfile(chainId).freshnessSeconds) : null
      return { chainId, fresh: age !== null && !age.stale, ageMs: age?.ageMs ?? null }
    })
    if (!status.synced) reasons.push('not synced with redis yet')
    else if (chains.length === 0) reasons.push('no chain configured')
    else if (!chains.some((ch) => ch.fresh))
      for (const ch of chains)
        reasons.push(
          (ch.ageMs === null
            ? `chain ${ch.chainId}: no prediction yet (model not loaded or not run)`
            : `chain ${ch.chainId}: data ${Math.round(ch.ageMs / 1000)} s old, past ${chainProfile(ch.chainId).freshnessSeconds} s`) +
            whyStale(ch.chainId, t),
        )
    const body: ReadyBody = {
      ready: reasons.length === 0,
      reasons,
      redis: status.redisUp ? 'up' : 'down',
      chains,
    }
    return c.json(body, body.ready ? 200 : 503, { 'Cache-Control': 'no-store' })
  })

  /** What the chain's sampler says is wrong, to follow a stale chain's reason on /readyz. */
  const whyStale = (chainId: number, t: number): string => {
    const rejecting = feed.health(chainId)?.rejecting
    if (!rejecting) return ''
    const since = Math.round((t - rejecting.since) / 1000)
    return redact(`: blocks refused for ${since} s (${rejecting.attempts} attempt(s)): ${rejecting.problem}`)
  }

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: {
      200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: z.string() } } },
    },
  })
  // One render a second at most, shared by whoever asks meanwhile (several Prometheus replicas, say).
  let rendered: { at: number; text: Promise<string> } | undefined
  app.get(
    '/metrics',
    edge('/metrics', async (c) => {
      const t = now()
      if (rendered === undefined || t - rendered.at >= 1_000 || t < rendered.at) {
        const text = renderMetrics().then(redact)
        rendered = { at: t, text }
        text.catch(() => {
          if (rendered?.text === text) rendered = undefined
        })
      }
      return c.body(await rendered.text, 200, {
        'Content-Type': metricsContentType,
        'Cache-Control': 'no-store',
      })
    }),
  )

  let openApiDocument: string | undefined
  app.get(
    '/openapi.json',
    edge('/openapi.json', (c) => {
      openApiDocument ??= JSON.stringify(
        app.getOpenAPI31Document({
          openapi: '3.1.0',
          info: {
            title: 'feecast',
            version: packageVersion,
            description:
              'Gas fees for inclusion within N blocks with a calibrated probability p. Wei as decimal strings, gwei as numbers.',
          },
        }),
      )
      return c.body(openApiDocument, 200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'public, max-age=300',
      })
    }),
  )

  // Unmatched requests go through the edge too (CORS preflights are answered there, limits apply).
  app.notFound(
    edge('unmatched', (c) => {
      const path = c.req.path
      const known = knownPaths.some((p) => p.test(path))
      // OPTIONS that is not a CORS preflight (those are answered by the cors step): what is allowed here.
      if (known && c.req.method === 'OPTIONS')
        return c.body(null, 204, { Allow: 'GET, HEAD, OPTIONS', 'Cache-Control': 'no-store' })
      if (known)
        return jsonError(
          c as Context<ApiEnv>,
          405,
          'method_not_allowed',
          `${c.req.method} is not allowed here: use GET`,
          {},
          {
            Allow: 'GET, HEAD, OPTIONS',
          },
        )
      return jsonError(c as Context<ApiEnv>, 404, 'not_found', 'No such route; GET /openapi.json lists them')
    }) as never,
  )

  app.onError((error, c) => {
    logger.error(
      { reqId: c.get('requestId'), err: { type: error.name, message: error.message, stack: error.stack } },
      'request failed',
    )
    return jsonError(c as Context<ApiEnv>, 500, 'internal_error', 'Internal error')
  })

  const fastPredict = createFastPredict({
    feed,
    corsOrigins,
    corsExposed: exposeHeaders.join(', '),
    isTrustedProxy,
    buckets,
    apiKeys,
    generateRequestId,
    isDraining,
    maxUrlLength: defaultMaxUrlLength,
    logger,
    now,
  })
  /** The id of a request answered outside Hono (a malformed one): the caller's when sane, else a new one. */
  const idFor = (given: string | undefined) => requestIdFor(given, generateRequestId)
  return { app, fastPredict, requestIdFor: idFor }
}

/** The API's Hono app alone (every route, no fast path): for `app.request()` in tests. */
export const createApiApp = (parameters: CreateApiAppParameters) => createApi(parameters).app

export type ApiApp = ReturnType<typeof createApiApp>

import type { IncomingMessage, ServerResponse } from 'node:http'
import { contractHeader } from '@feecast/client'
import type { ApiConfig } from '../config.js'
import type { Logger } from '../lib/logger.js'
import { trustedProxies } from '../lib/trustedProxies.js'
import { recordApiKeyRejection, registerApiKeys } from '../metrics/metrics.js'
import type { StoreClient } from '../store/scripts.js'
import { activeTracer } from '../tracing/activeTracer.js'
import { empty } from './core/answer.js'
import { createContext } from './core/context.js'
import { createPipeline, type Handler, type Step } from './core/pipeline.js'
import { type RouteDefinition, routePattern } from './core/route.js'
import { createRouter } from './core/router.js'
import { errorAnswer } from './httpErrors.js'
import { accessLog } from './middleware/accessLog.js'
import { apiKeyAuth, createApiKeys } from './middleware/apiKeys.js'
import { contract } from './middleware/contract.js'
import { cors } from './middleware/cors.js'
import { draining } from './middleware/draining.js'
import { hostHeader } from './middleware/hostHeader.js'
import { httpMetrics } from './middleware/httpMetrics.js'
import { clientAddress, rateLimit } from './middleware/rateLimit.js'
import { createIdGenerator, requestId, requestIdFor } from './middleware/requestId.js'
import { defaultMaxUrlLength, requestLimits } from './middleware/requestLimits.js'
import { traceRequests } from './middleware/traceRequests.js'
import type { PredictionFeed } from './predictionFeed.js'
import { blocknativeRoute } from './routes/blocknative.js'
import { chainsRoute } from './routes/chains.js'
import { gasStationRoute } from './routes/gasStation.js'
import { healthRoute, readyRoute } from './routes/health.js'
import { metaMaskRoute } from './routes/metaMask.js'
import { metricsRoute } from './routes/metrics.js'
import { openApiDocument, openApiRoute } from './routes/openApi.js'
import { pageRoutes } from './routes/page.js'
import { predictRoute } from './routes/predict.js'

/**
 * The request-span observer when tracing is on (decided once, when the API is made), tracing `ratio` of
 * the requests that come without a caller's traceparent; none when off.
 */
function requestTracing(ratio: number | undefined) {
  const tracer = activeTracer()
  return tracer === null ? [] : [traceRequests(tracer, { ratio })]
}

export type CreateApiParameters = {
  feed: PredictionFeed
  logger: Logger
  /** Limits, CORS and proxy settings (config.api); defaults as in config.ts. */
  api?: Partial<ApiConfig> | undefined
  /** True once shutdown has begun: /readyz fails and answers close their connection. */
  isDraining?: (() => boolean) | undefined
  now?: (() => number) | undefined
  /** Hides configured secrets in text that comes from elsewhere (the sampler's reasons, /metrics). */
  redact?: ((text: string) => string) | undefined
  /** Where the live page reads stored blocks and calibration states (none: it shows the fees only). */
  store?: StoreClient | undefined
  /** The Grafana the live page links each objective to (GRAFANA_URL); none: no links. */
  grafanaUrl?: string | undefined
}

export type Api = {
  /** Answers one request (node:http's request listener). */
  handle(req: IncomingMessage, res: ServerResponse): void
  /** The OpenAPI 3.1 document (as /openapi.json serves it). */
  openApi(): string
  /** The id of a request answered outside the API (a malformed one): the caller's when sane, else a new one. */
  requestIdFor(given: string | undefined): string
}

/**
 * Request headers browsers may send cross-origin (the preflight allows them): those the clients of the
 * compatible shapes send (MetaMask's gas-fee-controller X-Client-Id, and Content-Type on its legacy
 * route; web3-onboard's Authorization; ethers' User-Agent), feecast's API keys (Authorization,
 * X-API-Key), request ids, revalidation, and the cache headers fetch wrappers add.
 * test/api-compat-clients.test.ts records what the real clients send and checks each is allowed.
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
const exposedHeaders = ['ETag', 'Retry-After', 'X-Request-Id', contractHeader]

/**
 * The API: its routes (src/api/routes/, each with its OpenAPI description) behind its middleware
 * (src/api/middleware/), on one request path (src/api/core/): context → steps → route → observers.
 * Every request, /predict included, takes that path.
 */
export function createApi({
  feed,
  logger,
  api = {},
  isDraining = () => false,
  now = Date.now,
  redact = (text) => text,
  store,
  grafanaUrl,
}: CreateApiParameters): Api {
  const documented: RouteDefinition[] = [
    predictRoute({ feed }),
    blocknativeRoute({ feed }),
    metaMaskRoute({ feed }),
    gasStationRoute({ feed }),
    chainsRoute({ feed }),
    healthRoute({ startedAt: now() }),
    readyRoute({ feed, isDraining, redact }),
    metricsRoute({ now, redact }),
  ]
  let document: string | undefined
  const openApi = () => {
    document ??= openApiDocument(documented)
    return document
  }
  const routes = [
    ...documented,
    openApiRoute({ document: openApi }),
    ...pageRoutes({ feed, store, startedAt: now(), grafanaUrl }),
  ]
  const router = createRouter<{ definition: RouteDefinition; pattern: string }>()
  for (const definition of routes) {
    const pattern = routePattern(definition.openapi.path)
    router.add(pattern, { definition, pattern })
  }
  const generateRequestId = createIdGenerator()
  const pipeline = createPipeline({
    steps: apiSteps({ routes, api, isDraining, generateRequestId }),
    observers: [httpMetrics(), accessLog(logger), ...requestTracing(api.traceRequestRatio)],
    onError: (error, c) => {
      const e = error instanceof Error ? error : new Error(String(error))
      logger.error(
        { reqId: c.requestId, err: { type: e.name, message: e.message, stack: e.stack } },
        'request failed',
      )
      return errorAnswer(c, 500, 'internal_error', 'Internal error')
    },
  })

  return {
    handle(req, res) {
      const c = createContext(req, now())
      const match = router.match(c.path)
      let handler = notFound
      if (match !== undefined) {
        if (c.method === 'GET' || c.method === 'HEAD') {
          c.route = match.route.pattern
          c.params = match.params
          handler = match.route.definition.handler
        } else handler = methodNotAllowed
      }
      pipeline(c, handler, res)
    },
    openApi,
    requestIdFor: (given) => requestIdFor(given, generateRequestId),
  }
}

type ApiStepsParameters = {
  routes: readonly RouteDefinition[]
  api: Partial<ApiConfig>
  isDraining: () => boolean
  generateRequestId: () => string
}

/** The middleware every request passes, in order, before its route answers. */
function apiSteps({ routes, api, isDraining, generateRequestId }: ApiStepsParameters): Step[] {
  const unlimited = new Set(routes.filter((r) => r.limited === false).map((r) => r.openapi.path))
  /** Paths that need no API key: probes, Prometheus, and the API's own description. */
  const open = new Set([...unlimited, '/openapi.json'])
  const isTrustedProxy = trustedProxies(api.trustedProxies ?? [])
  const apiKeys = createApiKeys(api.apiKeys ?? [])
  if (apiKeys.enabled) registerApiKeys()
  return [
    requestId({ generate: generateRequestId }),
    contract(),
    draining(isDraining),
    hostHeader(),
    cors({
      origins: api.corsOrigins ?? '*',
      allowHeaders: corsAllowedHeaders,
      exposeHeaders: exposedHeaders,
    }),
    requestLimits({ maxBodyBytes: api.maxRequestBodyBytes ?? 1024, maxUrlLength: defaultMaxUrlLength }),
    // With API keys on, each key has its own limit (taken here) instead of each address.
    apiKeyAuth({
      keys: apiKeys,
      skip: (c) => open.has(c.path),
      onReject: recordApiKeyRejection,
      // Refused requests are limited by address, as requests without keys are: guessing keys is not free.
      limitRefused: rateLimit({
        perSecond: api.rateLimitPerSecond ?? 20,
        burst: api.rateLimitBurst ?? 60,
        keyOf: (c) => clientAddress(c, isTrustedProxy),
      }),
    }),
    rateLimit({
      perSecond: api.rateLimitPerSecond ?? 20,
      burst: api.rateLimitBurst ?? 60,
      keyOf: (c) => clientAddress(c, isTrustedProxy),
      skip: (c) => unlimited.has(c.path) || c.apiKeyId !== undefined,
    }),
    // /metrics has its own, lower limit: a flood of renders would take the CPU the wallets' requests need.
    rateLimit({
      perSecond: api.metricsRateLimitPerSecond ?? 1,
      burst: 10,
      keyOf: (c) => clientAddress(c, isTrustedProxy),
      skip: (c) => c.path !== '/metrics',
    }),
  ]
}

const notFound: Handler = (c) =>
  errorAnswer(c, 404, 'not_found', 'No such route; GET /openapi.json lists them')

/** An OPTIONS that is not a CORS preflight (those are answered by the cors step): what is allowed here. */
const methodNotAllowed: Handler = (c) =>
  c.method === 'OPTIONS'
    ? empty(204, ['Allow', 'GET, HEAD, OPTIONS', 'Cache-Control', 'no-store'])
    : errorAnswer(c, 405, 'method_not_allowed', `${c.method} is not allowed here: use GET`, {}, [
        'Allow',
        'GET, HEAD, OPTIONS',
      ])

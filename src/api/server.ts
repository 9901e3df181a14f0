import type { Server } from 'node:http'
import { createServer } from 'node:http'
import { Server as NetServer, type Socket } from 'node:net'
import { contractHeader, contractVersion } from '@feecast/client'
import { chainProfile } from '../chains/chains.js'
import type { ApiConfig, Config } from '../config.js'
import { createLogBudget } from '../lib/logBudget.js'
import type { Logger } from '../lib/logger.js'
import { trustedProxies } from '../lib/trustedProxies.js'
import {
  observeHttpRequest,
  recordShedConnection,
  setOpenConnectionsSource,
  setPredictionAgeSource,
} from '../metrics/metrics.js'
import type { StoreClient } from '../store/scripts.js'
import { type Api, createApi } from './app.js'
import { createConnectionGuard, defaultMaxConnections } from './connectionGuard.js'
import { type ApiErrorCode, errorBody } from './httpErrors.js'
import { createPredictionFeed, type PredictionFeed } from './predictionFeed.js'
import { dataAge } from './shapes.js'
import { watchStalledConnections } from './stalledConnections.js'

export type CreateApiServerParameters = {
  /** port, host and the api settings (limits, CORS, proxy) are read; chains seed the served list. */
  config: Pick<Config, 'port' | 'host' | 'api'> & {
    chains?: Config['chains']
    grafanaUrl?: string | undefined
  }
  /** A connection to Redis; the API opens its own copies (commands, pub/sub) and closes them itself. */
  redis: StoreClient
  logger: Logger
  /** Chain ids served, when config.chains does not list them (the embedded devchain). */
  chains?: readonly number[] | undefined
  /** A feed to serve from (tests); by default one is made from `redis`. */
  feed?: PredictionFeed | undefined
  /** The clock (ms), for tests that need answers to the byte. Default Date.now. */
  now?: (() => number) | undefined
  /** Hides configured secrets in text the API answers from elsewhere (config's secretRedactor). */
  redact?: ((text: string) => string) | undefined
  /** Read and follow the layout before issue 14 too (config.legacyLayout). Default false. */
  legacyLayout?: boolean | undefined
}

export type CloseParameters = {
  /** In-flight requests get this long to finish (ms) before their connections are cut. Default 10000. */
  deadlineMs?: number
  /**
   * Kept-alive connections stay open this long (ms) after the listener closes, so a request already on
   * its way on one is answered (with Connection: close) rather than reset. Default 500.
   */
  graceMs?: number
}

export type CreateApiServerReturnType = {
  /** The port listened on (config.port, or the one chosen when it is 0). */
  port: number
  /** Base URL for this machine (loopback when listening on every address). */
  url: string
  feed: PredictionFeed
  server: Server
  /**
   * Stops accepting connections at once; lets in-flight requests finish (answers now carry
   * Connection: close and /readyz says 503); after `graceMs` closes idle keep-alive connections; then
   * closes the feed's Redis connections. Past `deadlineMs` the remaining connections are cut.
   * Idempotent: every call returns the same promise.
   */
  close(parameters?: CloseParameters): Promise<void>
}

/** Largest request head (request line + headers) accepted; bigger ones get a JSON 431. */
export const maxHeaderBytes = 16 * 1024

type ApiSettings = Partial<ApiConfig>

const statusText: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
}

/**
 * The API's HTTP server: serves `createApi` on config.host:config.port, behind the connection defences
 * and the malformed-request answer. Resolves once listening.
 */
export async function createApiServer({
  config,
  redis,
  logger,
  chains,
  feed: givenFeed,
  now = Date.now,
  redact,
  legacyLayout = false,
}: CreateApiServerParameters): Promise<CreateApiServerReturnType> {
  const log = logger.child({ component: 'api' })
  const feed =
    givenFeed ??
    createPredictionFeed({
      redis,
      chains: chains ?? (config.chains ?? []).map((c) => c.chainId),
      logger: log,
      legacyLayout,
    })
  let drainingNow = false
  const api = createApi({
    feed,
    logger: log,
    api: config.api,
    isDraining: () => drainingNow,
    now,
    redact,
    store: redis,
    grafanaUrl: config.grafanaUrl,
  })
  setPredictionAgeSource(() => predictionAges(feed))

  const server = createHttpServer(config.api, api)
  guardConnections(server, config.api, log)
  answerMalformedRequests(server, api, log)

  try {
    await listen(server, config)
  } catch (error) {
    // Port taken, address not available: leave nothing open behind.
    setPredictionAgeSource(undefined)
    if (!givenFeed) await feed.close()
    throw error
  }
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`
  // The page's address, for whoever reads the first lines after npm start.
  log.info({ host: config.host, port, page: `${url}/` }, 'api listening')

  let closing: Promise<void> | undefined
  const close = ({ deadlineMs = 10_000, graceMs = 500 }: CloseParameters = {}) => {
    closing ??= (async () => {
      drainingNow = true
      log.info({ deadlineMs }, 'api draining')
      await drain(server, { deadlineMs, graceMs }, log)
      setPredictionAgeSource(undefined)
      setOpenConnectionsSource(undefined)
      if (!givenFeed) await feed.close()
      log.info('api closed')
    })()
    return closing
  }

  return { port, url, feed, server, close }
}

/** The age of each served chain's prediction, for the freshness gauge (read when /metrics renders). */
function* predictionAges(feed: PredictionFeed) {
  const now = Date.now()
  for (const chainId of feed.chainIds()) {
    const entry = feed.get(chainId)
    if (entry)
      yield {
        chainId,
        ageSeconds: dataAge(entry.prediction, now, chainProfile(chainId).freshnessSeconds).ageMs / 1000,
      }
  }
}

/** node:http with the API's timeouts: slow or silent clients do not keep their sockets. */
function createHttpServer(settings: ApiSettings, api: Api): Server {
  const headersTimeoutMs = settings.headersTimeoutMs ?? 5_000
  const server = createServer(
    {
      maxHeaderSize: maxHeaderBytes,
      // A connection that sends nothing (or a head byte by byte) is closed within a second of its limit:
      // Node checks every connectionsCheckingInterval (30 s by default, which kept idle sockets for 40 s).
      headersTimeout: headersTimeoutMs,
      requestTimeout: headersTimeoutMs + 5_000,
      connectionsCheckingInterval: 1_000,
      keepAliveTimeout: settings.keepAliveTimeoutMs ?? 5_000,
      // A missing Host is answered by the API (in JSON, with a request id), not by Node's empty 400.
      requireHostHeader: false,
    },
    api.handle,
  )
  // Nothing moves on the connection (a client that stopped reading its answer): closed, not kept. Not
  // Node's server.timeout, whose timer per connection is re-armed at every request.
  server.timeout = 0
  watchStalledConnections(server, { idleTimeoutMs: settings.idleTimeoutMs ?? 30_000 })
  return server
}

/**
 * Each connection is a file descriptor: one client address gets a share, the server a total below the
 * open-file limit; past either, a connection is closed as soon as it is accepted (counted, and logged
 * at most once a minute per reason).
 */
function guardConnections(server: Server, settings: ApiSettings, log: Logger): void {
  const isTrustedProxy = trustedProxies(settings.trustedProxies ?? [])
  const maxConnections = settings.maxConnections || defaultMaxConnections()
  const shedLoggedAt = new Map<string, number>()
  const onShed = (reason: 'per-client' | 'total', address: string) => {
    recordShedConnection(reason)
    const t = Date.now()
    if ((shedLoggedAt.get(reason) ?? 0) > t - 60_000) return
    shedLoggedAt.set(reason, t)
    log.warn(
      { reason, client: address, open: guard.open, maxConnections },
      reason === 'total'
        ? 'connection limit reached: closing new connections'
        : 'a client is over its connection limit: closing its new connections',
    )
  }
  const guard = createConnectionGuard({
    maxConnections,
    maxPerClient: settings.maxConnectionsPerClient ?? 64,
    // A trusted proxy carries many clients: it is held to the total only.
    isExempt: isTrustedProxy,
    onShed,
  })
  // The total is also Node's own cap: past it a connection is closed before a socket object is even made.
  server.maxConnections = maxConnections
  server.on('drop', (dropped?: { remoteAddress?: string }) =>
    onShed('total', dropped?.remoteAddress ?? 'unknown'),
  )
  server.on('connection', (socket: Socket) => {
    if (!guard.admit(socket)) socket.destroy()
  })
  setOpenConnectionsSource(() => guard.open)
}

/**
 * Malformed requests never reach the API: answer them in JSON too, and never log their bytes (they may
 * hold anything a client sent). The socket is destroyed once the answer is out: ending it alone left it
 * open (and its descriptor held) until the client closed its side.
 */
function answerMalformedRequests(server: Server, api: Api, log: Logger): void {
  // A client makes these at will (4,000 slowloris sockets made 4,000 lines): a bounded number a minute.
  const lines = createLogBudget({
    lines: 60,
    windowMs: 60_000,
    onSuppressed: (suppressed, windowMs) =>
      log.warn(
        { suppressed, seconds: windowMs / 1000 },
        'malformed requests not logged: over the log budget',
      ),
  })
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    // A connection that never sent a request: nothing to answer, just close it.
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && socket.bytesRead === 0) {
      socket.destroy()
      return
    }
    const [status, code, message] = malformedAnswer(error.code)
    answerOnSocket(socket, api, { status, code, message })
    if (lines.take(Date.now())) log.info({ status, code: error.code }, 'rejected a malformed request')
  })
  // CONNECT (a proxy tunnel) bypasses the request handler: without this, Node dropped the socket unanswered.
  server.on('connect', (_req: unknown, socket: Socket) => {
    answerOnSocket(socket, api, {
      status: 405,
      code: 'method_not_allowed',
      message: 'CONNECT is not allowed here: use GET',
      headers: 'Allow: GET, HEAD, OPTIONS\r\n',
    })
    if (lines.take(Date.now())) log.info({ status: 405 }, 'rejected a CONNECT request')
  })
}

/**
 * A JSON error written on the socket itself, for what never reaches the API (a malformed request, a
 * CONNECT): closed once it is out, and counted in the request metrics.
 */
function answerOnSocket(
  socket: Socket,
  api: Api,
  {
    status,
    code,
    message,
    headers = '',
  }: { status: number; code: ApiErrorCode; message: string; headers?: string },
): void {
  const id = api.requestIdFor(undefined)
  const body = JSON.stringify(errorBody(status, code, message, {}, id))
  socket.end(
    `HTTP/1.1 ${status} ${statusText[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Cache-Control: no-store\r\n${headers}X-Request-Id: ${id}\r\n${contractHeader}: ${contractVersion}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  )
  // A client that does not read the answer does not keep the socket either.
  setTimeout(() => socket.destroy(), 1_000).unref()
  observeHttpRequest({ route: 'unmatched', method: '_OTHER', status, durationSeconds: 0 })
}

function malformedAnswer(
  code: string | undefined,
): readonly [status: number, code: ApiErrorCode, message: string] {
  if (code === 'HPE_HEADER_OVERFLOW')
    return [431, 'request_header_fields_too_large', `The request head is limited to ${maxHeaderBytes} bytes`]
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return [408, 'request_timeout', 'The request took too long to arrive']
  return [400, 'bad_request', 'Malformed HTTP request']
}

function listen(server: Server, { port, host }: Pick<Config, 'port' | 'host'>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    // Node's default accept queue (511) fills under a reconnecting flood of idle sockets, and a good
    // client's connection attempt is then dropped by the kernel and retried a second later. The kernel
    // caps this at net.core.somaxconn (4096 on current Linux).
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/**
 * Stops accepting at once, but leaves kept-alive connections alone for a short grace: a client's next
 * request on one is answered (with Connection: close) instead of meeting a reset socket
 * (http.Server#close would also close every idle connection right away). Past the deadline the
 * remaining connections are cut.
 */
function drain(
  server: Server,
  { deadlineMs, graceMs }: Required<CloseParameters>,
  log: Logger,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let sweep: NodeJS.Timeout | undefined
    const deadline = setTimeout(() => {
      log.warn('api drain deadline passed: cutting the remaining connections')
      server.closeAllConnections()
    }, deadlineMs)
    NetServer.prototype.close.call(server, () => {
      clearTimeout(deadline)
      clearTimeout(grace)
      clearInterval(sweep)
      resolve()
    })
    const grace = setTimeout(
      () => {
        server.close() // http's own steps: close idle connections, stop the timeout checks
        sweep = setInterval(() => server.closeIdleConnections(), 25)
      },
      Math.min(graceMs, deadlineMs),
    )
  })
}

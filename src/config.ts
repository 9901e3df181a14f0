import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { BlobSchedule } from './chains/blobSchedule.js'
import { BlobScheduleError } from './chains/errors.js'
import { parseBlobSchedule } from './chains/parseBlobSchedule.js'
import { FeecastError } from './errors.js'
import { createRedactor, type Redactor, redactUrl } from './lib/redact.js'
import { isProxyEntry } from './lib/trustedProxies.js'
import type { StoreNode, StoreTarget } from './store/connect.js'

/**
 * The one module that owns configuration: every setting, its environment variable, its default and its
 * validation live here. Nothing else reads process.env.
 */

export class ConfigError extends FeecastError {
  override name = 'ConfigError'
  readonly variable: string
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`, {
      details: 'See "Configuration" in README.md for every variable and its accepted values.',
    })
    this.variable = variable
  }
}

/**
 * A number written in decimal digits: z.coerce (Number()) also read '0x50' as 80, '1e3' as 1000 and ' '
 * as 0, so PORT=0x50 listened on port 80. Numbers given as numbers (tests, defaults) pass as they are.
 */
const decimal = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value
  const text = value.trim()
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(text)) return Number(text)
  ctx.addIssue({ code: 'custom', message: 'must be a number in decimal digits (e.g. 8080 or 0.5)' })
  return z.NEVER
})
const port = decimal.pipe(z.number().int().min(0).max(65535))
/** A list of one entry, lower-cased (a boolean-looking setting), else '' (matches no boolean word). */
const soleEntry = (entries: string[]): string =>
  entries.length === 1 ? (entries[0] ?? '').toLowerCase() : ''
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v))

/** A URL of one of these schemes; the error shows it redacted (URLs carry keys and tokens). */
const urlOf = (protocols: readonly string[], expected: string) =>
  z.string().superRefine((value, ctx) => {
    let u: URL
    try {
      u = new URL(value)
    } catch {
      // The value itself is not shown (it may hold a key), so say what it lacks.
      const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim())
      ctx.addIssue({
        code: 'custom',
        message: scheme
          ? 'it cannot be read as a URL (check for spaces or stray characters; the value is not shown: it may hold a key)'
          : `it has no scheme: start it with ${protocols.map((p) => `${p}//`).join(' or ')}; the value is not shown: it may hold a key`,
      })
      return
    }
    if (!protocols.includes(u.protocol))
      ctx.addIssue({ code: 'custom', message: `${redactUrl(value)} must use ${expected}` })
  })

const rpcUrl = urlOf(['http:', 'https:', 'ws:', 'wss:'], 'http(s) or ws(s)')

/** An http(s) URL (an OTLP endpoint, Grafana). */
const httpUrl = urlOf(['http:', 'https:'], 'http or https')

/** host:port,host:port,... (Sentinels, Cluster nodes); an IPv6 host in brackets: [::1]:26379. */
const nodeList = z.string().transform((value, ctx): StoreNode[] => {
  const nodes: StoreNode[] = []
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '') continue
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/.exec(entry)
    const [, host, portText] = match ?? []
    const port = Number(portText)
    if (host === undefined || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not host:port` })
      return z.NEVER
    }
    nodes.push({ host: host.replace(/^\[|\]$/g, ''), port })
  }
  if (nodes.length === 0) ctx.addIssue({ code: 'custom', message: 'lists no host:port' })
  return nodes
})

/** Each entry: the environment variable, its schema and default. */
const settings = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  /** Redis under Sentinel: the Sentinels, and the name of the master they watch. */
  REDIS_SENTINELS: nodeList.optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be the master name of the Sentinels (letters, digits, . _ -)')
    .optional(),
  /** The Sentinels' own password (requirepass of sentinel.conf), if any. */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** Redis Cluster: some of its nodes (the rest are discovered). */
  REDIS_CLUSTER_NODES: nodeList.optional(),
  /** ACL user and password of the data nodes under Sentinel or Cluster (REDIS_URL carries its own). */
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  /**
   * Replicas a lease write waits for (WAIT) before the sampler counts on it, so a failover does not lose
   * the lease nor roll its epoch back. Default 1 under Sentinel and Cluster, 0 for one server.
   */
  REDIS_LEASE_REPLICAS: decimal.pipe(z.number().int().min(0).max(16)).optional(),
  /**
   * Also write and read the key layout before issue 14 (prediction keys and channel outside the hash
   * tags), so processes of the previous version keep working during a rolling upgrade. Default on,
   * except on a Cluster (that layout never ran on one). See README "Upgrading".
   */
  FEECAST_LEGACY_LAYOUT: bool.optional(),
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  FEECAST_STATE_DIR: z.string().min(1).default('.feecast'),
  /** Blocks to backfill on start (eth_feeHistory, 1024 a call). */
  HISTORY_BLOCKS: decimal.pipe(z.number().int().positive().max(100_000)).default(2048),
  /** Block records kept per chain in Redis; older ones are trimmed. */
  MAX_STORED_BLOCKS: decimal.pipe(z.number().int().positive().max(1_000_000)).default(20_000),
  /** Of the backfilled blocks, the most recent this many are fetched whole for their tips. */
  BACKFILL_FULL_BLOCKS: decimal.pipe(z.number().int().min(0).max(10_000)).default(64),
  RPC_TIMEOUT_MS: decimal.pipe(z.number().int().positive().max(120_000)).default(8_000),
  RPC_RETRIES: decimal.pipe(z.number().int().min(0).max(10)).default(3),
  /**
   * Largest JSON-RPC response read (bytes); a longer body is cut off as it arrives. A whole block with
   * its transactions is a few MB at most (a 60M-gas Ethereum block of calldata is about 3 MB of hex).
   */
  RPC_MAX_RESPONSE_BYTES: decimal
    .pipe(z.number().int().positive().min(65_536).max(268_435_456))
    .default(8_388_608),
  /** How often to ask for a new head when the endpoint cannot push them (ms). */
  POLL_INTERVAL_MS: decimal.pipe(z.number().int().positive().max(60_000)).default(1_000),
  /** Sampler leader lease: a crashed leader's replica takes over after at most this long. */
  LEASE_TTL_MS: decimal.pipe(z.number().int().positive().min(500).max(60_000)).default(5_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** all: sampler + predictor + API; sampler or api alone scale independently. */
  FEECAST_ROLE: z.enum(['all', 'sampler', 'api']).default('all'),
  FEECAST_SAMPLER_WORKER: bool.optional(),
  /** Port of the embedded devchain (0: any free port). */
  DEVCHAIN_PORT: port.default(0),
  /** Seconds between devchain blocks. */
  DEVCHAIN_BLOCK_TIME: decimal.pipe(z.number().positive().max(60)).default(2),
  /** Replay this history file instead of simulating demand. */
  DEVCHAIN_REPLAY: z.string().min(1).optional(),
  EMBEDDED_REDIS: bool.default(true),
  /** API: sustained requests per second allowed per client address (token bucket); 0 turns the limit off. */
  RATE_LIMIT_PER_SECOND: decimal.pipe(z.number().min(0).max(1_000_000)).default(20),
  /** API: requests a client may burst above the sustained rate. */
  RATE_LIMIT_BURST: decimal.pipe(z.number().int().positive().max(1_000_000)).default(60),
  /** API: largest request body accepted (bytes); the API reads none, so bigger ones are 413. */
  MAX_REQUEST_BODY_BYTES: decimal.pipe(z.number().int().min(0).max(1_048_576)).default(1024),
  /** API: origins allowed by CORS, comma-separated, or * for any. */
  CORS_ORIGINS: z
    .string()
    .min(1)
    .regex(
      /^(\*|https?:\/\/[^,\s]+(\s*,\s*https?:\/\/[^,\s]+)*)$/,
      'must be * or comma-separated http(s) origins',
    )
    .default('*'),
  /**
   * API: the reverse proxies in front of it, comma-separated IPs or CIDR ranges; X-Forwarded-For is
   * believed only from them. Empty (or false): none.
   */
  TRUST_PROXY: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== ''),
    )
    .superRefine((entries, ctx) => {
      if (['true', 'yes', 'on', '1'].includes(soleEntry(entries)))
        ctx.addIssue({
          code: 'custom',
          message:
            'takes the addresses of the trusted proxies now (comma-separated IPs or CIDR ranges, e.g. 10.0.0.0/8), not true: trusting every peer let any client choose its own address',
        })
      else if (['false', 'no', 'off', '0'].includes(soleEntry(entries))) return
      else
        for (const entry of entries)
          if (!isProxyEntry(entry))
            ctx.addIssue({ code: 'custom', message: `"${entry}" is not an IP address or CIDR range` })
    })
    .transform((entries) => (['false', 'no', 'off', '0'].includes(soleEntry(entries)) ? [] : entries))
    .default([]),
  /**
   * API: require an API key (Authorization: Bearer <key> or X-API-Key) on every data route; keys here,
   * comma-separated, each limited to RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST.
   */
  API_KEYS: z.string().optional(),
  /** API: a file of API keys, one a line: `<key> [<requests per second> [<burst>]]`; # starts a comment. */
  API_KEYS_FILE: z.string().min(1).optional(),
  /** API: /metrics requests per second allowed per client address (bursts of 10); 0 turns the limit off. */
  METRICS_RATE_LIMIT_PER_SECOND: decimal.pipe(z.number().min(0).max(10_000)).default(1),
  /** API: open connections allowed in all; 0 takes the open-file limit less a reserve. */
  MAX_CONNECTIONS: decimal.pipe(z.number().int().min(0).max(1_000_000)).default(0),
  /** API: open connections allowed from one client address (trusted proxies are not limited). */
  MAX_CONNECTIONS_PER_CLIENT: decimal.pipe(z.number().int().positive().max(1_000_000)).default(64),
  /** API: a connection must send a whole request head within this long (from connecting, or from the last answer). */
  HTTP_HEADERS_TIMEOUT_MS: decimal.pipe(z.number().int().positive().min(500).max(120_000)).default(5_000),
  /** API: an idle kept-alive connection is closed after this long. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: decimal.pipe(z.number().int().positive().min(100).max(120_000)).default(5_000),
  /** API: a connection on which nothing moves (a client that stops reading an answer) is closed after this long. */
  HTTP_IDLE_TIMEOUT_MS: decimal.pipe(z.number().int().positive().min(1_000).max(600_000)).default(30_000),
  /**
   * Traces (OpenTelemetry, off by default): the OTLP/HTTP endpoint spans are exported to, as the SDKs
   * read it (the traces go to <endpoint>/v1/traces), or the traces endpoint itself.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  /** Turns tracing off even with an endpoint set (the SDKs' own switch). */
  OTEL_SDK_DISABLED: bool.default(false),
  OTEL_SERVICE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be a short name (letters, digits, . _ -)')
    .default('feecast'),
  /**
   * With tracing on, the share of API requests given a span (0-1), drawn per request: a caller's
   * traceparent does not force one, it makes a drawn request's span its child. Block traces are all kept.
   */
  TRACE_REQUEST_RATIO: decimal.pipe(z.number().min(0).max(1)).default(1),
  /** The live page links each objective to this Grafana (the 30-day view); unset: no link. */
  GRAFANA_URL: httpUrl.optional(),
} as const

type Settings = { [K in keyof typeof settings]: z.output<(typeof settings)[K]> }

export type ChainConfig = {
  chainId: number
  rpcUrls: string[]
  /**
   * The chain's blob forks from BLOB_SCHEDULE_<chainId> (a file): they win over the built-in schedule (a fork
   * feecast does not know yet) and give a chain without one, whose node has no eth_config, blob predictions.
   */
  blobSchedule?: { file: string; forks: BlobSchedule } | undefined
}

export type Config = {
  /** Chains with their RPC endpoints; empty means the embedded devchain. */
  chains: ChainConfig[]
  redisUrl: string | undefined
  /** Where Redis is: REDIS_URL, Sentinel or Cluster; undefined for the embedded redis-server. */
  store: StoreTarget | undefined
  /** Replicas a lease write waits for (REDIS_LEASE_REPLICAS). */
  leaseReplicas: number
  /** Write and read the layout before issue 14 too (FEECAST_LEGACY_LAYOUT). */
  legacyLayout: boolean
  port: number
  host: string
  stateDir: string
  historyBlocks: number
  maxStoredBlocks: number
  backfillFullBlocks: number
  rpcTimeoutMs: number
  rpcRetries: number
  rpcMaxResponseBytes: number
  pollIntervalMs: number
  leaseTtlMs: number
  logLevel: Settings['LOG_LEVEL']
  role: Settings['FEECAST_ROLE']
  /**
   * In the combined role, run the samplers and predictors in a worker thread (FEECAST_SAMPLER_WORKER,
   * default true), so a new block's path does not queue behind the API's requests on one event loop.
   */
  samplerWorker: boolean
  devchain: { port: number; blockTimeSeconds: number; replayFile: string | undefined }
  embeddedRedis: boolean
  api: ApiConfig
  /** Where traces are exported (OTEL_EXPORTER_OTLP_*); undefined: tracing is off. */
  tracing: TracingConfig | undefined
  /** The Grafana the live page links its objectives to (GRAFANA_URL), if any. */
  grafanaUrl: string | undefined
}

export type TracingConfig = { tracesUrl: string; serviceName: string }

export type ApiConfig = {
  /** Sustained requests per second per client address; 0: no limit. */
  rateLimitPerSecond: number
  rateLimitBurst: number
  maxRequestBodyBytes: number
  /** Allowed CORS origins, or '*' for any. */
  corsOrigins: '*' | string[]
  /** Reverse proxies (IPs, CIDR ranges) whose X-Forwarded-For is believed. */
  trustedProxies: string[]
  /** /metrics requests per second per client address; 0: no limit. */
  metricsRateLimitPerSecond: number
  /** API keys; empty: the API is open. */
  apiKeys: ApiKeyConfig[]
  /** Open connections in all; 0: the open-file limit less a reserve. */
  maxConnections: number
  maxConnectionsPerClient: number
  headersTimeoutMs: number
  keepAliveTimeoutMs: number
  idleTimeoutMs: number
  /** With tracing on, the share of requests given a span (0-1), drawn per request. */
  traceRequestRatio: number
}

/** One API key: its id (what logs say instead of the key) and its own rate limit. */
export type ApiKeyConfig = { id: string; key: string; perSecond: number; burst: number }

/** What a key may look like: long enough not to be guessed, and nothing a header would mangle. */
const apiKeyForm = /^[A-Za-z0-9._~+/=-]{16,256}$/

const rpcVariable = /^RPC_URL_([0-9]+)$/
const blobScheduleVariable = /^BLOB_SCHEDULE_([0-9]+)$/

/** Every setting of `settings` read and validated; the first bad one named (secrets shown as ***). */
function parseSettings(env: Record<string, string | undefined>): Settings {
  const values: Record<string, unknown> = {}
  for (const [name, schema] of Object.entries(settings)) {
    const raw = env[name]
    const result = (schema as z.ZodType).safeParse(raw === '' ? undefined : raw)
    if (!result.success) {
      const issue = result.error.issues[0]
      const url = /_URL$|_ENDPOINT$/.test(name)
      const shown = url && raw ? redactUrl(raw) : /PASSWORD/.test(name) && raw !== undefined ? '***' : raw
      // A URL that cannot be parsed is not shown at all: its issue says what it lacks.
      const problem = issue?.message ?? 'invalid'
      throw new ConfigError(
        name,
        url && shown === '<unparseable url>' ? `is not a URL: ${problem}` : `= "${shown}": ${problem}`,
      )
    }
    values[name] = result.data
  }
  return values as Settings
}

/** RPC_URL_<chainId> variables: each a comma-separated list of endpoints, checked; by chain id. */
function readChains(env: Record<string, string | undefined>): ChainConfig[] {
  const chains: ChainConfig[] = []
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('RPC_URL')) continue
    const match = rpcVariable.exec(name)
    if (!match) throw new ConfigError(name, 'is not a valid name: use RPC_URL_<chainId>, e.g. RPC_URL_1')
    const chainId = Number(match[1])
    if (!Number.isSafeInteger(chainId) || chainId <= 0)
      throw new ConfigError(name, 'names an invalid chain id')
    const urls = (raw ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '')
    if (urls.length === 0) throw new ConfigError(name, 'is empty: give one URL or several, comma-separated')
    for (const [index, url] of urls.entries()) {
      const result = rpcUrl.safeParse(url)
      const which = urls.length > 1 ? ` (${index + 1} of ${urls.length})` : ''
      if (!result.success)
        throw new ConfigError(name, `has a bad endpoint${which}: ${result.error.issues[0]?.message}`)
    }
    chains.push({ chainId, rpcUrls: urls })
  }
  return chains.sort((a, b) => a.chainId - b.chainId)
}

/**
 * BLOB_SCHEDULE_<chainId> variables: the path of a blob-schedule file (README "Blob fees": feecast's shape or a
 * genesis config) for a chain an RPC_URL_<chainId> configures, read and checked now, so a bad one stops the start
 * with its problem named.
 */
function readBlobSchedules(env: Record<string, string | undefined>, chains: ChainConfig[]): void {
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('BLOB_SCHEDULE')) continue
    const match = blobScheduleVariable.exec(name)
    if (!match)
      throw new ConfigError(name, 'is not a valid name: use BLOB_SCHEDULE_<chainId>, e.g. BLOB_SCHEDULE_10')
    const chain = chains.find((c) => c.chainId === Number(match[1]))
    if (!chain)
      throw new ConfigError(name, `names a chain no RPC_URL_${match[1]} configures: nothing would use it`)
    const file = (raw ?? '').trim()
    if (file === '') throw new ConfigError(name, 'is empty: give the path of a blob-schedule file')
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new ConfigError(
        name,
        `= "${file}" cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      )
    }
    try {
      chain.blobSchedule = { file, forks: parseBlobSchedule({ text, source: file }) }
    } catch (error) {
      if (error instanceof BlobScheduleError) throw new ConfigError(name, `= ${error.shortMessage}`)
      throw error
    }
  }
}

/** Reads and validates configuration. Throws ConfigError naming the first bad variable. */
/** Names read outside `settings` (by start.mjs, before feecast runs). */
const otherKnownNames = new Set(['FEECAST_SETUP'])

/**
 * The first words that are feecast's own. Shared ones (HTTP_ of HTTP_PROXY, LOG_, MAX_, OTEL_ of the
 * OpenTelemetry SDK, API_) are left out: other programs' variables there are not typos.
 */
const ownPrefixes = new Set([
  'FEECAST',
  'REDIS',
  'HISTORY',
  'DEVCHAIN',
  'BACKFILL',
  'RATE',
  'EMBEDDED',
  'RPC',
])

/**
 * Environment names that look like feecast's (they begin with a word of its own: REDIS_, FEECAST_,
 * HISTORY_, ...) but are none of its settings, each with the closest setting: a typo (REDIS_URI for
 * REDIS_URL) otherwise leaves the default in place without a word. RPC_URL_* and BLOB_SCHEDULE_* names
 * are checked, and refused, by their own readers.
 */
export function unknownSettings(
  env: Record<string, string | undefined>,
): Array<{ name: string; didYouMean: string | undefined }> {
  const known = Object.keys(settings)
  return Object.keys(env)
    .filter(
      (name) =>
        ownPrefixes.has(name.split('_')[0] ?? '') &&
        name.includes('_') &&
        !(name in settings) &&
        !otherKnownNames.has(name) &&
        !name.startsWith('RPC_URL') &&
        !name.startsWith('BLOB_SCHEDULE'),
    )
    .sort()
    .map((name) => ({ name, didYouMean: closest(name, known) }))
}

/**
 * The known name `name` most likely meant: one it ends with (FEECAST_PORT: PORT), else one within two
 * edits, three for a long name (REDIS_URI: REDIS_URL, RPC_RETRY: RPC_RETRIES), else undefined.
 */
function closest(name: string, known: readonly string[]): string | undefined {
  const suffix = known.find((candidate) => name.endsWith(`_${candidate}`))
  if (suffix) return suffix
  let best: { name: string; distance: number } | undefined
  for (const candidate of known) {
    const distance = editDistance(name, candidate)
    const allowed = candidate.length >= 10 ? 3 : 2
    if (distance <= allowed && distance < (best?.distance ?? Infinity)) best = { name: candidate, distance }
  }
  return best?.name
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    previous = current
  }
  return previous[b.length] ?? 0
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const s = parseSettings(env)
  const chains = readChains(env)
  // An API replica samples nothing: it does not read the files (one environment may serve every role).
  if (s.FEECAST_ROLE !== 'api') readBlobSchedules(env, chains)
  const apiKeys = readApiKeys(s, env)

  const store = storeTarget(s)
  if (!s.EMBEDDED_REDIS && !store)
    throw new ConfigError(
      'REDIS_URL',
      'is required when EMBEDDED_REDIS is off (or REDIS_SENTINELS with REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES)',
    )
  if (store?.kind === 'cluster' && s.FEECAST_LEGACY_LAYOUT === true)
    throw new ConfigError(
      'FEECAST_LEGACY_LAYOUT',
      'cannot be on with REDIS_CLUSTER_NODES: the layout before issue 14 never ran on a Cluster (its prediction keys are outside the hash tags)',
    )

  return {
    chains,
    redisUrl: s.REDIS_URL,
    store,
    leaseReplicas:
      s.REDIS_LEASE_REPLICAS ?? (store?.kind === 'sentinel' || store?.kind === 'cluster' ? 1 : 0),
    legacyLayout: s.FEECAST_LEGACY_LAYOUT ?? store?.kind !== 'cluster',
    port: s.PORT,
    host: s.HOST,
    stateDir: s.FEECAST_STATE_DIR,
    historyBlocks: s.HISTORY_BLOCKS,
    maxStoredBlocks: s.MAX_STORED_BLOCKS,
    backfillFullBlocks: s.BACKFILL_FULL_BLOCKS,
    rpcTimeoutMs: s.RPC_TIMEOUT_MS,
    rpcRetries: s.RPC_RETRIES,
    rpcMaxResponseBytes: s.RPC_MAX_RESPONSE_BYTES,
    pollIntervalMs: s.POLL_INTERVAL_MS,
    leaseTtlMs: s.LEASE_TTL_MS,
    logLevel: s.LOG_LEVEL,
    role: s.FEECAST_ROLE,
    samplerWorker: s.FEECAST_SAMPLER_WORKER ?? true,
    devchain: {
      port: s.DEVCHAIN_PORT,
      blockTimeSeconds: s.DEVCHAIN_BLOCK_TIME,
      replayFile: s.DEVCHAIN_REPLAY,
    },
    embeddedRedis: s.EMBEDDED_REDIS,
    api: {
      rateLimitPerSecond: s.RATE_LIMIT_PER_SECOND,
      rateLimitBurst: s.RATE_LIMIT_BURST,
      maxRequestBodyBytes: s.MAX_REQUEST_BODY_BYTES,
      corsOrigins: s.CORS_ORIGINS === '*' ? '*' : s.CORS_ORIGINS.split(',').map((o) => o.trim()),
      trustedProxies: s.TRUST_PROXY,
      metricsRateLimitPerSecond: s.METRICS_RATE_LIMIT_PER_SECOND,
      apiKeys,
      maxConnections: s.MAX_CONNECTIONS,
      maxConnectionsPerClient: s.MAX_CONNECTIONS_PER_CLIENT,
      headersTimeoutMs: s.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: s.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: s.HTTP_IDLE_TIMEOUT_MS,
      traceRequestRatio: s.TRACE_REQUEST_RATIO,
    },
    tracing: tracingConfig(s),
    grafanaUrl: s.GRAFANA_URL,
  }
}

/**
 * Tracing is on when an OTLP endpoint is set and OTEL_SDK_DISABLED is not: the traces endpoint as given,
 * else the base endpoint's /v1/traces (the OTLP exporter specification's rule).
 */
function tracingConfig(s: Settings): TracingConfig | undefined {
  if (s.OTEL_SDK_DISABLED) return undefined
  const base = s.OTEL_EXPORTER_OTLP_ENDPOINT
  const tracesUrl =
    s.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`)
  return tracesUrl === undefined ? undefined : { tracesUrl, serviceName: s.OTEL_SERVICE_NAME }
}

/** REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES (at most one), with what each needs. */
function storeTarget(s: Settings): StoreTarget | undefined {
  const given = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter(
    (name) => s[name] !== undefined,
  )
  const [first, second] = given
  if (second !== undefined)
    throw new ConfigError(
      second,
      `cannot be set with ${first}: give one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES`,
    )
  const credentials = { username: s.REDIS_USERNAME, password: s.REDIS_PASSWORD }
  if (s.REDIS_SENTINELS) {
    if (!s.REDIS_SENTINEL_NAME)
      throw new ConfigError(
        'REDIS_SENTINEL_NAME',
        'is required with REDIS_SENTINELS: the master name the Sentinels watch',
      )
    return {
      kind: 'sentinel',
      sentinels: s.REDIS_SENTINELS,
      name: s.REDIS_SENTINEL_NAME,
      sentinelPassword: s.REDIS_SENTINEL_PASSWORD,
      ...credentials,
    }
  }
  if (s.REDIS_SENTINEL_NAME) throw new ConfigError('REDIS_SENTINEL_NAME', 'is set without REDIS_SENTINELS')
  if (s.REDIS_CLUSTER_NODES) return { kind: 'cluster', nodes: s.REDIS_CLUSTER_NODES, ...credentials }
  if (s.REDIS_URL) {
    if (s.REDIS_USERNAME || s.REDIS_PASSWORD)
      throw new ConfigError(
        s.REDIS_PASSWORD ? 'REDIS_PASSWORD' : 'REDIS_USERNAME',
        'is for REDIS_SENTINELS and REDIS_CLUSTER_NODES: with REDIS_URL, put the credentials in the URL',
      )
    return { kind: 'url', url: s.REDIS_URL }
  }
  return undefined
}

/**
 * The API keys of API_KEYS (the default limit each) and of API_KEYS_FILE (a limit per line, optional).
 * Errors name the variable and the line, never a key.
 */
function readApiKeys(s: Settings, env: Record<string, string | undefined>): ApiKeyConfig[] {
  const keys: ApiKeyConfig[] = []
  const seen = new Set<string>()
  const add = (variable: string, where: string, key: string, perSecond: number, burst: number) => {
    if (!apiKeyForm.test(key))
      throw new ConfigError(
        variable,
        `${where}: a key must be 16 to 256 characters of letters, digits and . _ ~ + / = -`,
      )
    if (seen.has(key)) throw new ConfigError(variable, `${where}: a key is given twice`)
    seen.add(key)
    keys.push({ id: `key#${keys.length + 1}`, key, perSecond, burst })
  }
  const defaults = [s.RATE_LIMIT_PER_SECOND, s.RATE_LIMIT_BURST] as const
  const listed = (env.API_KEYS ?? '').split(',').map((k) => k.trim())
  listed.forEach((key, i) => {
    if (key !== '') add('API_KEYS', `entry ${i + 1}`, key, ...defaults)
  })
  if (s.API_KEYS_FILE !== undefined) {
    let text: string
    try {
      text = readFileSync(s.API_KEYS_FILE, 'utf8')
    } catch (error) {
      throw new ConfigError(
        'API_KEYS_FILE',
        `= "${s.API_KEYS_FILE}" cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      )
    }
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/#.*/, '').trim()
      if (line === '') return
      const [key = '', rate, burst, extra] = line.split(/\s+/)
      const perSecond = rate === undefined ? defaults[0] : Number(rate)
      const burstSize = burst === undefined ? defaults[1] : Number(burst)
      if (extra !== undefined || !(perSecond >= 0) || !Number.isInteger(burstSize) || burstSize < 1)
        throw new ConfigError(
          'API_KEYS_FILE',
          `line ${i + 1}: expected <key> [<requests per second> [<burst>]]`,
        )
      add('API_KEYS_FILE', `line ${i + 1}`, key, perSecond, burstSize)
    })
    if (keys.length === 0) throw new ConfigError('API_KEYS_FILE', 'holds no key')
  }
  return keys
}

/** A configured blob schedule as the start log shows it: the file and every fork's numbers (no bigint). */
function shownBlobSchedule({ file, forks }: NonNullable<ChainConfig['blobSchedule']>) {
  return {
    file,
    forks: forks.map((f) => ({ ...f, baseFeeUpdateFraction: String(f.baseFeeUpdateFraction) })),
  }
}

/** The config as it may be printed or logged: every URL redacted, API keys by id only. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    api: { ...config.api, apiKeys: config.api.apiKeys.map((k) => k.id) },
    redisUrl: config.redisUrl === undefined ? undefined : redactUrl(config.redisUrl),
    store: redactStoreTarget(config.store),
    chains: config.chains.map((c) => ({
      chainId: c.chainId,
      rpcUrls: c.rpcUrls.map(redactUrl),
      ...(c.blobSchedule ? { blobSchedule: shownBlobSchedule(c.blobSchedule) } : {}),
    })),
    tracing:
      config.tracing === undefined
        ? undefined
        : { ...config.tracing, tracesUrl: redactUrl(config.tracing.tracesUrl) },
    grafanaUrl: config.grafanaUrl === undefined ? undefined : redactUrl(config.grafanaUrl),
  }
}

/** The store target as it may be shown: hosts and names, passwords as "***". */
function redactStoreTarget(target: StoreTarget | undefined): Record<string, unknown> | undefined {
  if (target === undefined) return undefined
  if (target.kind === 'url') return { kind: 'url', url: redactUrl(target.url) }
  const hidden = (v: string | undefined) => (v === undefined ? undefined : '***')
  return {
    ...target,
    password: hidden(target.password),
    ...(target.kind === 'sentinel' ? { sentinelPassword: hidden(target.sentinelPassword) } : {}),
  }
}

/** The passwords of the store target (Sentinel and Cluster; a URL's are found in the URL). */
function storePasswords(target: StoreTarget | undefined): string[] {
  if (target === undefined || target.kind === 'url') return []
  return [target.password, target.kind === 'sentinel' ? target.sentinelPassword : undefined].filter(
    (p): p is string => p !== undefined,
  )
}

/**
 * The redactor of every secret this configuration holds (RPC and Redis URLs' keys and passwords, API
 * keys): what logs, metrics and answers pass through before they leave the process.
 */
export function secretRedactor(
  config: Pick<Config, 'chains' | 'redisUrl'> & {
    api?: Pick<ApiConfig, 'apiKeys'>
    store?: StoreTarget | undefined
  },
): Redactor {
  return createRedactor({
    urls: [...config.chains.flatMap((c) => c.rpcUrls), ...(config.redisUrl ? [config.redisUrl] : [])],
    secrets: [...(config.api?.apiKeys ?? []).map((k) => k.key), ...storePasswords(config.store)],
  })
}

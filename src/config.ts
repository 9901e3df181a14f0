import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { FeecastError } from './errors.js'
import { createRedactor, type Redactor, redactUrl } from './lib/redact.js'
import { isProxyEntry } from './lib/trustedProxies.js'

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

const port = z.coerce.number().int().min(0).max(65535)
const positiveInt = z.coerce.number().int().positive()
/** A list of one entry, lower-cased (a boolean-looking setting), else '' (matches no boolean word). */
const soleEntry = (entries: string[]): string =>
  entries.length === 1 ? (entries[0] ?? '').toLowerCase() : ''
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v))

const rpcUrl = z.string().superRefine((value, ctx) => {
  let u: URL
  try {
    u = new URL(value)
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${redactUrl(value)}" is not a URL` })
    return
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol))
    ctx.addIssue({ code: 'custom', message: `${redactUrl(value)} must use http(s) or ws(s)` })
})

/** Each entry: the environment variable, its schema and default. */
const settings = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  FEECAST_STATE_DIR: z.string().min(1).default('.feecast'),
  /** Blocks to backfill on start (eth_feeHistory, 1024 a call). */
  HISTORY_BLOCKS: positiveInt.max(100_000).default(2048),
  /** Block records kept per chain in Redis; older ones are trimmed. */
  MAX_STORED_BLOCKS: positiveInt.max(1_000_000).default(20_000),
  /** Of the backfilled blocks, the most recent this many are fetched whole for their tips. */
  BACKFILL_FULL_BLOCKS: z.coerce.number().int().min(0).max(10_000).default(64),
  RPC_TIMEOUT_MS: positiveInt.max(120_000).default(8_000),
  RPC_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /**
   * Largest JSON-RPC response read (bytes); a longer body is cut off as it arrives. A whole block with
   * its transactions is a few MB at most (a 60M-gas Ethereum block of calldata is about 3 MB of hex).
   */
  RPC_MAX_RESPONSE_BYTES: positiveInt.min(65_536).max(268_435_456).default(8_388_608),
  /** How often to ask for a new head when the endpoint cannot push them (ms). */
  POLL_INTERVAL_MS: positiveInt.max(60_000).default(1_000),
  /** Sampler leader lease: a crashed leader's replica takes over after at most this long. */
  LEASE_TTL_MS: positiveInt.min(500).max(60_000).default(5_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** all: sampler + predictor + API; sampler or api alone scale independently. */
  FEECAST_ROLE: z.enum(['all', 'sampler', 'api']).default('all'),
  /** Port of the embedded devchain (0: any free port). */
  DEVCHAIN_PORT: port.default(0),
  /** Seconds between devchain blocks. */
  DEVCHAIN_BLOCK_TIME: z.coerce.number().positive().max(60).default(2),
  /** Replay this history file instead of simulating demand. */
  DEVCHAIN_REPLAY: z.string().min(1).optional(),
  EMBEDDED_REDIS: bool.default(true),
  /** API: sustained requests per second allowed per client address (token bucket); 0 turns the limit off. */
  RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).max(1_000_000).default(20),
  /** API: requests a client may burst above the sustained rate. */
  RATE_LIMIT_BURST: positiveInt.max(1_000_000).default(60),
  /** API: largest request body accepted (bytes); the API reads none, so bigger ones are 413. */
  MAX_REQUEST_BODY_BYTES: z.coerce.number().int().min(0).max(1_048_576).default(1024),
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
  METRICS_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).max(10_000).default(1),
  /** API: open connections allowed in all; 0 takes the open-file limit less a reserve. */
  MAX_CONNECTIONS: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** API: open connections allowed from one client address (trusted proxies are not limited). */
  MAX_CONNECTIONS_PER_CLIENT: positiveInt.max(1_000_000).default(64),
  /** API: a connection must send a whole request head within this long (from connecting, or from the last answer). */
  HTTP_HEADERS_TIMEOUT_MS: positiveInt.min(500).max(120_000).default(5_000),
  /** API: an idle kept-alive connection is closed after this long. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt.min(100).max(120_000).default(5_000),
  /** API: a connection on which nothing moves (a client that stops reading an answer) is closed after this long. */
  HTTP_IDLE_TIMEOUT_MS: positiveInt.min(1_000).max(600_000).default(30_000),
} as const

type Settings = { [K in keyof typeof settings]: z.output<(typeof settings)[K]> }

export type ChainConfig = { chainId: number; rpcUrls: string[] }

export type Config = {
  /** Chains with their RPC endpoints; empty means the embedded devchain. */
  chains: ChainConfig[]
  redisUrl: string | undefined
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
  devchain: { port: number; blockTimeSeconds: number; replayFile: string | undefined }
  embeddedRedis: boolean
  api: ApiConfig
}

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
}

/** One API key: its id (what logs say instead of the key) and its own rate limit. */
export type ApiKeyConfig = { id: string; key: string; perSecond: number; burst: number }

/** What a key may look like: long enough not to be guessed, and nothing a header would mangle. */
const apiKeyForm = /^[A-Za-z0-9._~+/=-]{16,256}$/

const rpcVariable = /^RPC_URL_([0-9]+)$/

/** Reads and validates configuration. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values: Record<string, unknown> = {}
  for (const [name, schema] of Object.entries(settings)) {
    const raw = env[name]
    const result = (schema as z.ZodType).safeParse(raw === '' ? undefined : raw)
    if (!result.success) {
      const issue = result.error.issues[0]
      const shown = name === 'REDIS_URL' && raw ? redactUrl(raw) : raw
      throw new ConfigError(name, `= "${shown}": ${issue?.message ?? 'invalid'}`)
    }
    values[name] = result.data
  }
  const s = values as Settings

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
    for (const url of urls) {
      const result = rpcUrl.safeParse(url)
      if (!result.success)
        throw new ConfigError(name, `has a bad endpoint: ${result.error.issues[0]?.message}`)
    }
    chains.push({ chainId, rpcUrls: urls })
  }
  chains.sort((a, b) => a.chainId - b.chainId)

  const apiKeys = readApiKeys(s, env)

  if (!s.EMBEDDED_REDIS && !s.REDIS_URL)
    throw new ConfigError('REDIS_URL', 'is required when EMBEDDED_REDIS is off')

  return {
    chains,
    redisUrl: s.REDIS_URL,
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
    },
  }
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

/** The config as it may be printed or logged: every URL redacted, API keys by id only. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    api: { ...config.api, apiKeys: config.api.apiKeys.map((k) => k.id) },
    redisUrl: config.redisUrl === undefined ? undefined : redactUrl(config.redisUrl),
    chains: config.chains.map((c) => ({ chainId: c.chainId, rpcUrls: c.rpcUrls.map(redactUrl) })),
  }
}

/**
 * The redactor of every secret this configuration holds (RPC and Redis URLs' keys and passwords, API
 * keys): what logs, metrics and answers pass through before they leave the process.
 */
export function secretRedactor(
  config: Pick<Config, 'chains' | 'redisUrl'> & { api?: Pick<ApiConfig, 'apiKeys'> },
): Redactor {
  return createRedactor({
    urls: [...config.chains.flatMap((c) => c.rpcUrls), ...(config.redisUrl ? [config.redisUrl] : [])],
    secrets: (config.api?.apiKeys ?? []).map((k) => k.key),
  })
}

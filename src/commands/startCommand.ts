import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { chainProfile } from '../chains/chains.js'
import {
  type ChainConfig,
  type Config,
  ConfigError,
  loadConfig,
  redactConfig,
  secretRedactor,
  unknownSettings,
} from '../config.js'
import { FeecastError, StartupError } from '../errors.js'
import { createLogger, type Logger } from '../lib/logger.js'
import type { Redactor } from '../lib/redact.js'
import { checkListenAddress, checkWritableDirectory, listenError } from '../preflight.js'
import type { StoreTarget } from '../store/connect.js'
import { DirectoryInUseError } from '../store/errors.js'
import { readChainIds } from '../store/readChainIds.js'
import type { RedisServerEvent } from '../store/redisServer.js'
import type { StoreClient } from '../store/scripts.js'
import { connectRedis, type Stop, startSampling, startTracingPart } from './samplingPart.js'

/** How long shutdown may take before the process gives up and exits non-zero. */
const shutdownDeadlineMs = 15_000

/** How long a part that talks to Redis may take to stop when Redis is gone (its calls cannot succeed). */
const stopWithoutRedisMs = 1_000

type Metrics = typeof import('../metrics/metrics.js')
type Shutdown = (signal: string, exitCode?: number) => Promise<void>

/** The configuration, or exit 2 with what is wrong with it. */
function startConfig(): Config {
  try {
    return loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`feecast: ${error.message}\n`)
      process.exit(2)
    }
    throw error
  }
}

/**
 * Shutdown on SIGTERM / SIGINT: every part started, stopped in reverse start order (samplers stop writing
 * before Redis goes away), within a deadline; when Redis is gone, the parts that talk to it get a moment
 * each, not the reconnection timeouts.
 */
function shutdownOnSignals(logger: Logger) {
  const stops: Stop[] = []
  /** The service's Redis connection, once made: cut first at shutdown when Redis is gone. */
  let redisClient: StoreClient | undefined
  let stopping = false
  const shutdown: Shutdown = async (signal, exitCode = 0) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      logger.error({ deadlineMs: shutdownDeadlineMs }, 'shutdown deadline passed; exiting')
      process.exit(1)
    }, shutdownDeadlineMs)
    timer.unref()
    // Redis gone: the parts' last Redis calls (a lease to release, a calibration state to save) cannot
    // succeed, so each gets a moment, not the reconnection timeouts.
    const redisGone = redisClient !== undefined && redisClient.status !== 'ready'
    if (redisGone)
      logger.warn({ status: redisClient?.status }, 'redis unreachable at shutdown: not waiting for it')
    // Last started, first stopped; a part that registers while shutdown runs (it was still starting) is
    // stopped next, before the parts it depends on.
    for (let part = stops.pop(); part !== undefined; part = stops.pop()) {
      const { name, stop, usesRedis } = part
      try {
        if (redisGone && usesRedis)
          await Promise.race([stop(), new Promise<void>((r) => setTimeout(r, stopWithoutRedisMs).unref())])
        else await stop()
      } catch (error) {
        logger.warn({ part: name, err: error }, 'error while stopping')
      }
    }
    logger.info('stopped')
    process.exit(exitCode)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
  return {
    stops,
    shutdown,
    onRedis: (redis: StoreClient) => {
      redisClient = redis
    },
  }
}

/**
 * `feecast start`: the whole service in one process. With no configuration it runs the embedded
 * default — a devchain and a private redis-server under the state directory — so a clone runs with
 * no network and no setup; RPC_URL_<chainId> and REDIS_URL switch to real chains and a real Redis.
 * A setting that keeps it from starting (a port in use, a host that does not resolve, a state
 * directory it cannot write or another feecast holds) is one line naming it, and exit code 2, with
 * whatever had started stopped again.
 */
export async function runStart(): Promise<void> {
  const config = startConfig()
  const redact = secretRedactor(config)
  const logger = createLogger(config.logLevel, {}, { redact })
  logger.info({ settings: redactConfig(config) }, 'starting feecast')
  for (const { name, didYouMean } of unknownSettings(process.env))
    logger.warn(
      { variable: name, didYouMean },
      `${name} is not a feecast setting: ignored${didYouMean ? ` (did you mean ${didYouMean}?)` : ''}`,
    )
  warnOfBlobSchedulesNotInForce(config, logger)
  const { stops, shutdown, onRedis } = shutdownOnSignals(logger)
  // First, so the API's request spans are decided on, and last to stop, so the last spans are exported.
  if (config.tracing) await startTracingPart(config.tracing, stops, logger)
  try {
    await startService({ config, logger, redact, stops, onRedis, shutdown })
  } catch (error) {
    const line = startupFailure(error, config)
    if (line === undefined) throw error
    // One line on stderr, what was started stopped again, exit 2.
    process.stderr.write(`feecast: ${line}\n`)
    logger.level = 'silent'
    await shutdown('startup failure', 2)
  }
}

/**
 * A BLOB_SCHEDULE_<chainId> whose first fork is still to come gives no blob prediction until then (the file
 * replaces the built-in schedule whole): said at start, since nothing else would say why blobs are missing.
 */
function warnOfBlobSchedulesNotInForce(config: Config, logger: Logger): void {
  const now = Date.now() / 1000
  for (const { chainId, blobSchedule } of config.chains) {
    const first = blobSchedule?.forks[0]
    if (first !== undefined && first.activationTime > now)
      logger.warn(
        { chainId, file: blobSchedule?.file, fork: first.name, activationTime: first.activationTime },
        `BLOB_SCHEDULE_${chainId} has no fork in force yet: no blob prediction until its first one; list every fork, past ones included`,
      )
  }
}

/** The one line a startup failure gets, naming the setting; undefined for an unexpected error. */
function startupFailure(error: unknown, config: Config): string | undefined {
  if (error instanceof StartupError) return error.shortMessage
  if (error instanceof DirectoryInUseError)
    return `FEECAST_STATE_DIR = "${config.stateDir}": ${error.shortMessage}; stop it, or give this one another FEECAST_STATE_DIR`
  if (error instanceof FeecastError) return error.message.replace(/\n+/g, ' ')
  return undefined
}

type StartServiceParameters = {
  config: Config
  logger: Logger
  redact: Redactor
  stops: Stop[]
  onRedis: (redis: StoreClient) => void
  shutdown: Shutdown
}

/** Settings that can only be checked against the machine, before anything is started. */
async function preflight(config: Config): Promise<void> {
  const embeddedRedis = !config.store
  const embeddedDevchain = config.chains.length === 0 && config.role !== 'api'
  if (embeddedRedis || embeddedDevchain) checkWritableDirectory('FEECAST_STATE_DIR', config.stateDir)
  await checkListenAddress({ host: config.host, port: config.port, portSetting: 'PORT' })
  if (embeddedDevchain && config.devchain.port !== 0)
    await checkListenAddress({ host: '127.0.0.1', port: config.devchain.port, portSetting: 'DEVCHAIN_PORT' })
}

/** Starts every part in order, pushing each one's stop as soon as it runs. */
async function startService({ config, logger, redact, stops, onRedis, shutdown }: StartServiceParameters) {
  const metrics = await import('../metrics/metrics.js')
  await preflight(config)
  const target: StoreTarget = config.store ?? {
    kind: 'url',
    url: await embeddedRedis(config, stops, logger, metrics),
  }
  let chains: ChainConfig[] = config.chains
  // An API-only replica samples nothing: it serves the chains the samplers announce in Redis.
  if (chains.length === 0 && config.role !== 'api') chains = await embeddedDevchain(config, stops, logger)
  const redis = connectRedis(target, stops, logger)
  onRedis(redis)
  if (chains.length === 0) {
    chains = await announcedChains(redis)
    if (chains.length === 0) {
      logger.fatal(
        'FEECAST_ROLE=api found no chains: set RPC_URL_<chainId> for the chains to serve, or start a sampler first',
      )
      await shutdown('no chains', 2)
      return
    }
  }
  for (const chain of chains)
    metrics.registerChain({
      chainId: chain.chainId,
      freshnessSeconds: chainProfile(chain.chainId).freshnessSeconds,
      baseFeeRuleKnown: config.role !== 'api' && chainProfile(chain.chainId).baseFeeRule !== 'unknown',
    })

  // Every role serves HTTP: the API role for wallets, the sampler role for /metrics and health checks.
  const { createApiServer } = await import('../api/server.js')
  const api = await createApiServer({
    config,
    redis,
    logger,
    chains: chains.map((c) => c.chainId),
    redact,
    legacyLayout: config.legacyLayout,
  }).catch((error: NodeJS.ErrnoException) => {
    throw listenError(error, { host: config.host, port: config.port, portSetting: 'PORT' })
  })
  stops.push({ name: 'api', stop: () => api.close({ deadlineMs: 10_000 }) })

  if (config.role === 'api') return
  if (config.samplerWorker && config.role === 'all') {
    // The sampler and predictor in a thread of their own: the API's event loop only serves requests.
    const { startSamplingWorker } = await import('./samplingThread.js')
    await startSamplingWorker({
      ...{ config, target, chains, owner: samplerOwner, logger, feed: api.feed },
      // Registered before the worker has started: a SIGTERM while it loads stops it before Redis.
      onSpawned: (worker) =>
        stops.push({ name: 'sampling worker', stop: () => worker.stop(), usesRedis: true }),
    })
    return
  }
  await startSampling({
    config,
    redis,
    chains,
    owner: samplerOwner,
    logger,
    stops,
    onPrediction: (local) => api.feed.offer(local),
  })
}

/** A private, supervised redis-server with its data under the state directory; its URL. */
async function embeddedRedis(
  config: Config,
  stops: Stop[],
  logger: Logger,
  metrics: Metrics,
): Promise<string> {
  const { startRedisServer } = await import('../store/redisServer.js')
  const dataDir = join(config.stateDir, 'redis')
  const redisLog = logger.child({ component: 'redis-server' })
  const server = await startRedisServer({
    dataDir,
    supervise: true,
    onEvent: (event) => onRedisServerEvent(event, redisLog, metrics),
  })
  stops.push({ name: 'redis-server', stop: () => server.stop() })
  metrics.setEmbeddedRedisUp(true)
  logger.info(
    { dataDir: server.dataDir, port: server.port, pid: server.pid },
    'embedded redis-server started',
  )
  return server.url
}

/** The embedded devchain, when no chain is configured: the one chain sampled. */
async function embeddedDevchain(config: Config, stops: Stop[], logger: Logger): Promise<ChainConfig[]> {
  const { startDevchain } = await import('../devchain/startDevchain.js')
  const devchain = await startDevchain({
    port: config.devchain.port,
    blockTime: config.devchain.blockTimeSeconds,
    replay: config.devchain.replayFile,
    stateDir: join(config.stateDir, 'devchain'),
  })
  stops.push({ name: 'devchain', stop: () => devchain.stop() })
  logger.info({ chainId: devchain.chainId, port: devchain.port }, 'embedded devchain started')
  // Over WebSocket: new heads are pushed to the sampler the moment the devchain makes them.
  return [{ chainId: devchain.chainId, rpcUrls: [devchain.wsUrl] }]
}

/** The chains the samplers announce in Redis (what an API-only replica serves), ascending. */
async function announcedChains(redis: StoreClient): Promise<ChainConfig[]> {
  return (await readChainIds(redis)).map((chainId) => ({ chainId, rpcUrls: [] }))
}

/** This process's name in leases and presence: host, pid and a random part (a restarted pid differs). */
const samplerOwner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

/** The embedded redis-server's own words and fate, in the logs and metrics. */
function onRedisServerEvent(event: RedisServerEvent, log: Logger, metrics: Metrics): void {
  switch (event.type) {
    case 'output':
      // Its warnings and errors (a full disk, a bad append-only file) are worth a line; the rest is detail.
      if (event.level === 'warning') log.warn({ line: event.line }, 'redis-server says')
      else log.debug({ line: event.line }, 'redis-server says')
      return
    case 'exited':
      metrics.setEmbeddedRedisUp(false)
      log.error(
        { code: event.code, signal: event.signal, lastOutput: event.lastOutput },
        'embedded redis-server exited: restarting it',
      )
      return
    case 'restarted':
      metrics.setEmbeddedRedisUp(true)
      metrics.recordEmbeddedRedisRestart('ok')
      log.info({ attempt: event.attempt }, 'embedded redis-server restarted')
      return
    case 'restart-failed':
      metrics.recordEmbeddedRedisRestart('failed')
      log.error(
        { attempt: event.attempt, error: event.error.message, retryInMs: event.retryInMs },
        'embedded redis-server could not be restarted: trying again',
      )
      return
    case 'orphan-stopped':
      log.warn(
        { pid: event.pid },
        'stopped a redis-server left on the data directory by a feecast that is gone',
      )
      return
  }
}

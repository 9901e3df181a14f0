import { join } from 'node:path'
import { Redis } from 'ioredis'
import { chainsKey } from '../api/predictionKeys.js'
import { chainProfile } from '../chains/chains.js'
import { type ChainConfig, type Config, ConfigError, loadConfig, redactConfig } from '../config.js'
import { createLogger, type Logger } from '../lib/logger.js'
import type { BaseFeeForecaster } from '../model/forecast.js'
import { type RedisServer, startRedisServer } from '../store/redisServer.js'
import type { BlockRecord } from '../types.js'

/** How long shutdown may take before the process gives up and exits non-zero. */
const shutdownDeadlineMs = 15_000

type Stop = { name: string; stop: () => Promise<void> }
type Metrics = typeof import('../metrics/metrics.js')

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
 * Shutdown on SIGTERM / SIGINT: every component started, stopped in reverse start order (samplers stop
 * writing before Redis goes away), within a deadline.
 */
function shutdownOnSignals(logger: Logger) {
  const stops: Stop[] = []
  let stopping = false
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      logger.error({ deadlineMs: shutdownDeadlineMs }, 'shutdown deadline passed; exiting')
      process.exit(1)
    }, shutdownDeadlineMs)
    timer.unref()
    for (const { name, stop } of stops.reverse()) {
      try {
        await stop()
      } catch (error) {
        logger.warn({ component: name, err: error }, 'error while stopping')
      }
    }
    logger.info('stopped')
    process.exit(exitCode)
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))
  return { stops, shutdown }
}

/** REDIS_URL, or a private redis-server with its data under the state directory. */
async function redisUrlOf(config: Config, stops: Stop[], logger: Logger): Promise<string> {
  if (config.redisUrl) return config.redisUrl
  const dataDir = join(config.stateDir, 'redis')
  const server: RedisServer = await startRedisServer({ dataDir })
  stops.push({ name: 'redis-server', stop: () => server.stop() })
  logger.info({ dataDir: server.dataDir, port: server.port }, 'embedded redis-server started')
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
  return [{ chainId: devchain.chainId, rpcUrls: [devchain.url] }]
}

/** The chains the samplers announce in Redis (what an API-only replica serves), ascending. */
async function announcedChains(redis: Redis): Promise<ChainConfig[]> {
  return (await redis.smembers(chainsKey))
    .map(Number)
    .filter((id) => Number.isSafeInteger(id) && id > 0)
    .sort((a, b) => a - b)
    .map((chainId) => ({ chainId, rpcUrls: [] }))
}

/** One line per sampled block; backfill writes thousands at once, so only live and rewritten blocks are info. */
function logSampledBlock(logger: Logger, chainId: number, record: BlockRecord, kind: string): void {
  logger[kind === 'backfill' ? 'debug' : 'info'](
    {
      chainId,
      block: record.number,
      baseFeeGwei: record.baseFeePerGas === null ? null : Number(record.baseFeePerGas) / 1e9,
      gasUsedRatio:
        record.gasUsed !== null && record.gasLimit ? Number(record.gasUsed) / Number(record.gasLimit) : null,
      txCount: record.txCount,
      tipThresholdGwei: record.tips ? Number(record.tips.threshold) / 1e9 : null,
      kind,
    },
    'sampled block',
  )
}

type StartChainParameters = {
  chain: ChainConfig
  config: Config
  redis: Redis
  forecaster: BaseFeeForecaster
  trainedRange: { mean: readonly number[]; std: readonly number[] } | undefined
  metrics: Metrics
  logger: Logger
  stops: Stop[]
}

/** One chain's sampler and predictor: every sampled block (or reorg) wakes the predictor. */
async function startChain({
  chain,
  config,
  redis,
  forecaster,
  trainedRange,
  metrics,
  logger,
  stops,
}: StartChainParameters): Promise<void> {
  const { createSampler } = await import('../sampler/createSampler.js')
  const { createPredictor } = await import('../predict/createPredictor.js')
  const predictor = createPredictor({
    chainId: chain.chainId,
    redis,
    forecaster,
    trainedRange,
    logger: logger.child({ chainId: chain.chainId, component: 'predictor' }),
  })
  const sampler = createSampler({
    chainId: chain.chainId,
    rpcUrls: chain.rpcUrls,
    redis,
    historyBlocks: config.historyBlocks,
    maxStoredBlocks: config.maxStoredBlocks,
    backfillFullBlocks: config.backfillFullBlocks,
    rpcTimeoutMs: config.rpcTimeoutMs,
    rpcRetries: config.rpcRetries,
    pollIntervalMs: config.pollIntervalMs,
    leaseTtlMs: config.leaseTtlMs,
    logger: logger.child({ chainId: chain.chainId }),
    onRpcCall: (call) =>
      metrics.recordRpcCall({
        chainId: call.chainId,
        endpoint: call.endpoint,
        outcome: call.outcome === 'ok' || call.outcome === 'timeout' ? call.outcome : 'error',
        durationSeconds: call.durationMs / 1000,
      }),
    onEvent: (event) => {
      if (event.type === 'reorg')
        metrics.recordReorg({ chainId: chain.chainId, depth: event.oldHead - event.ancestor })
      if (event.type === 'synced' || event.type === 'reorg') predictor.notify()
    },
    onRecord: (record, { kind }) => {
      metrics.observeBlock({ chainId: chain.chainId, number: record.number, timestamp: record.timestamp })
      if (kind !== 'backfill') predictor.notify()
      logSampledBlock(logger, chain.chainId, record, kind)
    },
  })
  await sampler.start()
  stops.push({ name: `predictor ${chain.chainId}`, stop: () => predictor.stop() })
  stops.push({ name: `sampler ${chain.chainId}`, stop: () => sampler.stop() })
}

/**
 * `feecast start`: the whole service in one process. With no configuration it runs the embedded
 * default — a devchain and a private redis-server under the state directory — so a clone runs with
 * no network and no setup; RPC_URL_<chainId> and REDIS_URL switch to real chains and a real Redis.
 */
export async function runStart(): Promise<void> {
  const config = startConfig()
  const logger = createLogger(config.logLevel)
  logger.info({ settings: redactConfig(config) }, 'starting feecast')
  const { stops, shutdown } = shutdownOnSignals(logger)

  const redisUrl = await redisUrlOf(config, stops, logger)
  let chains: ChainConfig[] = config.chains
  // An API-only replica samples nothing: it serves the chains the samplers announce in Redis.
  if (chains.length === 0 && config.role !== 'api') chains = await embeddedDevchain(config, stops, logger)

  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false })
  redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection error'))
  stops.push({
    name: 'redis-client',
    stop: async () => void (await redis.quit().catch(() => redis.disconnect())),
  })

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

  const metrics = await import('../metrics/metrics.js')
  for (const chain of chains)
    metrics.registerChain({
      chainId: chain.chainId,
      freshnessSeconds: chainProfile(chain.chainId).freshnessSeconds,
    })

  // Every role serves HTTP: the API role for wallets, the sampler role for /metrics and health checks.
  const { createApiServer } = await import('../api/server.js')
  const api = await createApiServer({ config, redis, logger, chains: chains.map((c) => c.chainId) })
  stops.push({ name: 'api', stop: () => api.close({ deadlineMs: 10_000 }) })
  logger.info({ port: api.port }, 'api listening')

  if (config.role === 'api') return
  const { loadForecaster } = await import('../model/loadForecaster.js')
  const { forecaster, trainedRange } = await loadForecaster({ logger })
  metrics.setModelInfo({ version: forecaster.version, backend: forecaster.backend })
  logger.info({ version: forecaster.version, backend: forecaster.backend }, 'model loaded')
  for (const chain of chains)
    await startChain({ chain, config, redis, forecaster, trainedRange, metrics, logger, stops })
}

import type { ChainConfig, Config, TracingConfig } from '../config.js'
import type { Logger } from '../lib/logger.js'
import { redactUrl } from '../lib/redact.js'
import type { BlobFeeForecaster } from '../model/blobForecaster.js'
import type { BaseFeeForecaster } from '../model/forecast.js'
import type { StoredLocally } from '../predict/createPredictor.js'
import type { ChainShare } from '../sampler/chainShare.js'
import { closeConnection } from '../store/closeConnection.js'
import { connectStore, type StoreTarget } from '../store/connect.js'
import type { StoreClient } from '../store/scripts.js'
import type { BlockRecord } from '../types.js'

/**
 * The sampling part of `feecast start`: the models, this replica's share of the chains, and each chain's
 * sampler and predictor. It runs in the process's main thread (FEECAST_ROLE=sampler, or with
 * FEECAST_SAMPLER_WORKER=false) or in a worker thread of the combined role (samplingWorker.ts).
 */

/** A part to stop at shutdown; `usesRedis`: its stop talks to Redis (bounded when Redis is gone). */
export type Stop = { name: string; stop: () => Promise<void>; usesRedis?: boolean }

type Metrics = typeof import('../metrics/metrics.js')

export type StartSamplingParameters = {
  config: Config
  redis: StoreClient
  chains: readonly ChainConfig[]
  /** This replica's name in leases and presence. */
  owner: string
  logger: Logger
  stops: Stop[]
  /** Each stored prediction, handed to this process's API without the pub/sub round trip. */
  onPrediction: (local: StoredLocally) => void
}

/** Loads the models, takes this replica's share of the chains and starts every chain's sampler and predictor. */
export async function startSampling({
  config,
  redis,
  chains,
  owner,
  logger,
  stops,
  onPrediction,
}: StartSamplingParameters): Promise<void> {
  const metrics = await import('../metrics/metrics.js')
  const { loadForecaster } = await import('../model/loadForecaster.js')
  const { forecaster, trainedRange } = await loadForecaster({ logger })
  metrics.setModelInfo({ version: forecaster.version, backend: forecaster.backend })
  logger.info({ version: forecaster.version, backend: forecaster.backend }, 'model loaded')
  const { loadBlobForecaster } = await import('../model/loadBlobForecaster.js')
  const blobForecaster = await loadBlobForecaster({ logger })
  metrics.setBlobModelInfo({ version: blobForecaster.version, backend: blobForecaster.backend })
  logger.info({ version: blobForecaster.version, backend: blobForecaster.backend }, 'blob-fee model loaded')
  const share = await shareChains({ config, redis, chains: chains.length, owner, logger, stops })
  for (const chain of chains)
    await startChain({
      ...{ chain, config, redis, forecaster, blobForecaster, trainedRange, metrics, logger, stops, share },
      owner,
      onPrediction,
    })
}

/** Traces on (OTEL_EXPORTER_OTLP_ENDPOINT): the SDK is loaded only then. */
export async function startTracingPart(tracing: TracingConfig, stops: Stop[], logger: Logger): Promise<void> {
  const { startTracing } = await import('../tracing/startTracing.js')
  const started = startTracing(tracing)
  stops.push({ name: 'tracing', stop: () => started.shutdown() })
  logger.info({ tracesUrl: redactUrl(tracing.tracesUrl), serviceName: tracing.serviceName }, 'tracing on')
}

/**
 * This sampler replica's share of the chains: it announces itself, and its samplers lead about K / R
 * chains (R live replicas). Withdrawn at shutdown after the samplers released their leases.
 */
async function shareChains({
  config,
  redis,
  chains,
  owner,
  logger,
  stops,
}: {
  config: Config
  redis: StoreClient
  chains: number
  owner: string
  logger: Logger
  stops: Stop[]
}): Promise<ChainShare> {
  const { createChainShare } = await import('../sampler/chainShare.js')
  const share = createChainShare({
    redis,
    owner,
    chains,
    ttlMs: config.leaseTtlMs,
    logger: logger.child({ component: 'chain-share' }),
  })
  await share.start()
  stops.push({ name: 'chain-share', stop: () => share.stop(), usesRedis: true })
  return share
}

/** The service's Redis connection: one log line per outage, and a bounded quit at shutdown. */
export function connectRedis(target: StoreTarget, stops: Stop[], logger: Logger): StoreClient {
  const redis = connectStore(target)
  // One line per outage, not one per reconnection attempt.
  let redisDown = false
  redis.on('error', (error) => {
    if (redisDown) return
    redisDown = true
    logger.warn({ err: error.message }, 'redis connection error: reconnecting')
  })
  redis.on('ready', () => {
    if (redisDown) logger.info('redis connection back')
    redisDown = false
  })
  stops.push({
    name: 'redis-client',
    usesRedis: true,
    stop: () => closeConnection(redis, { timeoutMs: 2_000 }),
  })
  return redis
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
  redis: StoreClient
  forecaster: BaseFeeForecaster
  blobForecaster: BlobFeeForecaster
  trainedRange: { mean: readonly number[]; std: readonly number[] } | undefined
  metrics: Metrics
  logger: Logger
  stops: Stop[]
  share: ChainShare
  owner: string
  /** Each stored prediction, for this process's API (its feed, or the main thread's). */
  onPrediction: (local: StoredLocally) => void
}

/** One chain's sampler and predictor: every sampled block (or reorg) wakes the predictor. */
async function startChain({
  chain,
  config,
  redis,
  forecaster,
  blobForecaster,
  trainedRange,
  metrics,
  logger,
  stops,
  share,
  owner,
  onPrediction,
}: StartChainParameters): Promise<void> {
  const { createSampler } = await import('../sampler/createSampler.js')
  const { createPredictor } = await import('../predict/createPredictor.js')
  const { chainId } = chain
  const predictor = createPredictor({
    chainId,
    redis,
    forecaster,
    blobForecaster,
    trainedRange,
    logger: logger.child({ chainId, component: 'predictor' }),
    legacyLayout: config.legacyLayout,
    blobSchedule: chain.blobSchedule?.forks,
    onPrediction,
  })
  const sampler = createSampler({
    chainId,
    rpcUrls: chain.rpcUrls,
    blobSchedule: chain.blobSchedule?.forks,
    redis,
    historyBlocks: config.historyBlocks,
    maxStoredBlocks: config.maxStoredBlocks,
    backfillFullBlocks: config.backfillFullBlocks,
    rpcTimeoutMs: config.rpcTimeoutMs,
    rpcRetries: config.rpcRetries,
    rpcMaxResponseBytes: config.rpcMaxResponseBytes,
    pollIntervalMs: config.pollIntervalMs,
    leaseTtlMs: config.leaseTtlMs,
    leaseReplicas: config.leaseReplicas,
    owner,
    share,
    logger: logger.child({ chainId }),
    onRpcCall: (call) => {
      metrics.recordRpcCall({
        chainId: call.chainId,
        endpoint: call.endpoint,
        outcome: call.outcome === 'ok' || call.outcome === 'timeout' ? call.outcome : 'error',
        durationSeconds: call.durationMs / 1000,
      })
      if (call.outcome === 'oversized')
        metrics.recordOversizedRpcResponse({ chainId: call.chainId, endpoint: call.endpoint })
    },
    onEvent: (event) => {
      if (event.type === 'block-rejected') metrics.recordBlockRejected({ chainId, reason: event.reason })
      if (event.type === 'base-fee-rule')
        metrics.setBaseFeeRuleMatching({ chainId, matching: event.matching })
      if (event.type === 'reorg') metrics.recordReorg({ chainId, depth: event.oldHead - event.ancestor })
      if (event.type === 'head-subscription')
        metrics.setHeadSubscription({ chainId, endpoint: event.endpoint, live: event.live })
      if (event.type === 'synced' || event.type === 'reorg') predictor.notify()
    },
    onRecord: (record, { kind }) => {
      metrics.observeBlock({ chainId, number: record.number, timestamp: record.timestamp })
      if (kind !== 'backfill') predictor.notify()
      logSampledBlock(logger, chainId, record, kind)
    },
  })
  await sampler.start()
  stops.push({ name: `predictor ${chainId}`, stop: () => predictor.stop(), usesRedis: true })
  stops.push({ name: `sampler ${chainId}`, stop: () => sampler.stop(), usesRedis: true })
}

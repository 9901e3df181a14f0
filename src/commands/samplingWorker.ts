/**
 * The sampling worker thread of `feecast start` (see samplingThread.ts): the samplers and predictors of the
 * combined role, on an event loop of their own. It takes the configuration, the Redis target, the chains and the
 * lease owner from the main thread, posts every stored prediction and its
 * metric updates back, and stops its parts in reverse start order when asked.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { secretRedactor } from '../config.js'
import { FeecastError } from '../errors.js'
import { createLogger, flushLogsSync } from '../lib/logger.js'
import { forwardMetricsTo } from '../metrics/metrics.js'
import { connectRedis, type Stop, startSampling, startTracingPart } from './samplingPart.js'
import type { FromSamplingWorker, SamplingWorkerData, ToSamplingWorker } from './samplingThread.js'

const port = parentPort
if (!port) throw new Error('samplingWorker.js runs as a worker thread of feecast start')
const post = (message: FromSamplingWorker) => port.postMessage(message)
const { config, target, chains, owner } = workerData as SamplingWorkerData
const logger = createLogger(config.logLevel, { thread: 'sampling' }, { redact: secretRedactor(config) })
forwardMetricsTo((updates) => post({ type: 'metrics', updates }))

const stops: Stop[] = []
port.on('message', (message: ToSamplingWorker) => {
  if (message.type === 'stop') void stopAll()
})

/** Stops every part (samplers release their leases, predictors save their state), then ends the thread. */
async function stopAll(): Promise<void> {
  // Last started, first stopped; a part still starting when the stop came registers and is stopped next.
  for (let part = stops.pop(); part !== undefined; part = stops.pop()) {
    const { name, stop } = part
    try {
      await stop()
    } catch (error) {
      logger.warn({ part: name, err: error }, 'error while stopping')
    }
  }
  forwardMetricsTo(undefined)
  post({ type: 'stopped' })
  flushLogsSync(logger)
  process.exit(0)
}

try {
  if (config.tracing) await startTracingPart(config.tracing, stops, logger)
  const redis = connectRedis(target, stops, logger)
  await startSampling({
    config,
    redis,
    chains,
    owner,
    logger,
    stops,
    onPrediction: ({ json, traceparent }) => post({ type: 'prediction', json, traceparent }),
  })
  post({ type: 'started' })
} catch (error) {
  // One of feecast's own errors is one line for the operator (as `feecast start` says it in one thread).
  if (!(error instanceof FeecastError)) throw error
  post({ type: 'failed', message: error.message.replace(/\n+/g, ' ') })
  flushLogsSync(logger)
  process.exit(2)
}

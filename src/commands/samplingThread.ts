import { Worker } from 'node:worker_threads'
import type { LocalPrediction } from '../api/predictionFeed.js'
import type { ChainConfig, Config } from '../config.js'
import type { Logger } from '../lib/logger.js'
import { applyForwardedMetrics, type ForwardedMetric } from '../metrics/metrics.js'
import type { StoreTarget } from '../store/connect.js'
import { SamplingWorkerStartError } from './errors.js'

/** What the sampling worker starts from (structured-cloned into the thread; the rest it reads from the env). */
export type SamplingWorkerData = {
  /**
   * The main thread's configuration, as loaded and checked at start: the worker does not read the environment
   * or the files it names (BLOB_SCHEDULE_*) again, so a file changed or gone since cannot fail a restart.
   */
  config: Config
  /** The Redis the main thread uses (the embedded redis-server's URL included). */
  target: StoreTarget
  /** The chains to sample (the embedded devchain's included). */
  chains: readonly ChainConfig[]
  /** The process's name in leases: a restarted worker takes its own lease back at once. */
  owner: string
}

/** The worker's messages to the main thread. */
export type FromSamplingWorker =
  | { type: 'started' }
  /** Its start failed with one of feecast's own errors (its message is the one line to say). */
  | { type: 'failed'; message: string }
  /**
   * A stored prediction as its stored JSON: a string crosses threads at the cost of a copy, where the object
   * would be cloned field by field (profiled: 1.8 ms of the worker's CPU per block).
   */
  | { type: 'prediction'; json: string; traceparent?: string | undefined }
  | { type: 'metrics'; updates: ForwardedMetric[] }
  | { type: 'stopped' }

/** The main thread's messages to the worker. */
export type ToSamplingWorker = { type: 'stop' }

/** The prediction of the stored JSON, without the internal trace field it is stored with (never served). */
function localPrediction(json: string, traceparent: string | undefined): LocalPrediction {
  const { traceparent: _stored, ...prediction } = JSON.parse(json) as LocalPrediction['prediction'] & {
    traceparent?: string
  }
  return { prediction, json, traceparent }
}

export type StartSamplingWorkerParameters = SamplingWorkerData & {
  logger: Logger
  /** Where each new prediction goes at once (the API's feed). */
  feed: { offer(local: LocalPrediction): unknown }
  /** The worker's script (default: samplingWorker.js beside this module; tests give another). */
  script?: URL | undefined
  /** Back-off between restarts of a worker that died: base, doubling up to max (ms). Default 250 and 30000. */
  restartDelayMs?: { base: number; max: number } | undefined
  /**
   * Given the worker's handle as soon as it is spawned, before it has started: a shutdown that comes
   * while the worker loads its models stops it too (and before Redis goes away).
   */
  onSpawned?: ((worker: SamplingWorker) => void) | undefined
}

export type SamplingWorker = {
  /** Worker threads started so far (1 + restarts). */
  readonly starts: number
  /** Asks the worker to stop its samplers and predictors (leases released, calibration saved); resolves once it has exited. */
  stop(): Promise<void>
}

/**
 * The samplers and predictors of the combined role, in a worker thread: under load the API's event loop is
 * busy with requests, and a new block's path (the head's fetch, the Redis writes and reads, the prediction)
 * would wait behind them at every step. The worker hands each stored prediction to the feed directly (pub/sub
 * still announces it to other processes) and its metric updates to this thread's registry. A worker that
 * dies (an uncaught error, a crash) is logged and started again with back-off; the process goes on serving.
 * Resolves once the first worker has started; rejects if it fails before that.
 */
export function startSamplingWorker({
  logger,
  feed,
  script = new URL('./samplingWorker.js', import.meta.url),
  restartDelayMs = { base: 250, max: 30_000 },
  onSpawned,
  ...data
}: StartSamplingWorkerParameters): Promise<SamplingWorker> {
  const log = logger.child({ component: 'sampling-worker' })
  let worker: Worker | undefined
  let stopping = false
  let starts = 0
  let failuresInARow = 0
  let restartTimer: NodeJS.Timeout | undefined

  const onMessage = (message: FromSamplingWorker) => {
    if (message.type === 'prediction') {
      failuresInARow = 0
      feed.offer(localPrediction(message.json, message.traceparent))
    } else if (message.type === 'metrics') applyForwardedMetrics(message.updates)
  }

  const spawn = (onStarted: () => void, onEarlyExit: (error: Error) => void) => {
    starts++
    // The rest of the parameters is exactly what the worker starts from (SamplingWorkerData).
    const w = new Worker(script, { workerData: data satisfies SamplingWorkerData })
    worker = w
    let started = false
    let failure: Error | undefined
    w.on('message', (message: FromSamplingWorker) => {
      if (message.type === 'started') {
        started = true
        onStarted()
      } else if (message.type === 'failed') failure = new SamplingWorkerStartError(message.message)
      else onMessage(message)
    })
    w.on('error', (error) => {
      failure ??= error
      log.error({ err: error }, 'sampling worker failed')
    })
    w.on('exit', (code) => {
      if (worker === w) worker = undefined
      if (stopping) return
      if (!started)
        return onEarlyExit(failure ?? new Error(`the sampling worker exited (${code}) before it started`))
      restartLater(code)
    })
  }

  const restartLater = (code: number) => {
    const delayMs = Math.min(restartDelayMs.max, restartDelayMs.base * 2 ** failuresInARow)
    failuresInARow++
    log.error({ code, restartInMs: delayMs, restarts: starts }, 'sampling worker exited: restarting it')
    restartTimer = setTimeout(() => {
      restartTimer = undefined
      if (stopping) return
      spawn(
        () => log.info({ restarts: starts - 1 }, 'sampling worker restarted'),
        (error) => {
          log.error({ err: error.message }, 'restarted sampling worker failed before it started')
          restartLater(1)
        },
      )
    }, delayMs)
  }

  const handle: SamplingWorker = {
    get starts() {
      return starts
    },
    async stop() {
      stopping = true
      clearTimeout(restartTimer)
      const w = worker
      if (!w) return
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
      w.postMessage({ type: 'stop' } satisfies ToSamplingWorker)
      await exited
    },
  }
  return new Promise((resolve, reject) => {
    spawn(() => resolve(handle), reject)
    onSpawned?.(handle)
  })
}

import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { confidenceLevels, horizons, type Prediction } from '@feecast/client'
import type { BlobSchedule } from '../chains/blobSchedule.js'
import { chainProfile } from '../chains/chains.js'
import { featureLookback } from '../features/featureNames.js'
import { cell, last } from '../lib/at.js'
import type { Logger } from '../lib/logger.js'
import * as metrics from '../metrics/metrics.js'
import type { BlobFeeForecaster } from '../model/blobForecaster.js'
import type { BaseFeeForecaster } from '../model/forecast.js'
import { readBlobCalibrationState, writeBlobCalibrationState } from '../store/blobCalibrationState.js'
import { readBlobScheduleOfNode } from '../store/blobScheduleOfNode.js'
import { readChainHealth } from '../store/chainHealth.js'
import { CalibrationConflictError, StoredValueError } from '../store/errors.js'
import { readCalibration } from '../store/readCalibrationState.js'
import { createLatestBlocksReader } from '../store/readLatestBlocks.js'
import type { StoreClient } from '../store/scripts.js'
import { type CalibrationSeq, writePrediction } from '../store/writePrediction.js'
import {
  type BlockTrace,
  claimBlockTrace,
  endBlockTrace,
  inBlockStage,
  inBlockStageSync,
  traceparentOf,
} from '../tracing/blockTraces.js'
import type { BlockRecord } from '../types.js'
import { type BlobPredictor, createBlobPredictor, type NodeBlobSchedule } from './blobPredictor.js'
import type { BlobPrediction } from './buildBlobPrediction.js'
import { buildPrediction, latestRun } from './buildPrediction.js'
import { type CalibrationState, createCalibrationState, observeBlock, recordEstimate } from './calibration.js'
import {
  createTipCalibrationState,
  observeTipBlock,
  recordTipEstimate,
  type TipCalibrationState,
} from './tipCalibration.js'
import { withBlobPrediction } from './withBlobPrediction.js'

/** Blocks read per prediction: the feature lookback plus the tip windows. */
const windowBlocks = featureLookback + 64

/** Levels and horizons exported as coverage metrics (bounded label values). */
const exportedConfidences = new Set<number>(confidenceLevels)
const exportedHorizons = new Set<number>(horizons.filter((n) => n > 1))

export type CreatePredictorParameters = {
  chainId: number
  redis: StoreClient
  forecaster: BaseFeeForecaster
  trainedRange?: { mean: readonly number[]; std: readonly number[] } | undefined
  /** The blob-fee model: with it, a blob-carrying chain's prediction gains its blob part (issue 13). */
  blobForecaster?: BlobFeeForecaster | undefined
  logger: Logger
  /** This predictor's name in the calibration state's sequence (default host:pid:random). */
  writer?: string
  /** Also write the prediction in the layout before issue 14 (FEECAST_LEGACY_LAYOUT). */
  legacyLayout?: boolean
  /** Test hook: the clock. */
  now?: () => number
  /**
   * Each prediction once it is stored (before it is announced on pub/sub): this process's own API takes it
   * from memory (PredictionFeed.offer) instead of waiting for the announcement.
   */
  onPrediction?: ((stored: StoredLocally) => void) | undefined
  /** The chain's blob forks as configured (BLOB_SCHEDULE_<chainId>): they win over the built-in ones. */
  blobSchedule?: BlobSchedule | undefined
}

/** A stored prediction as the predictor hands it to its own process: the object, its stored JSON, its trace. */
export type StoredLocally = { prediction: Prediction; json: string; traceparent?: string | undefined }

export type Predictor = {
  /** A new block (or a rewrite) was stored: compute again. Calls coalesce while one runs. */
  notify(): void
  /** Waits for the run in progress, then persists the calibration state. */
  stop(): Promise<void>
}

type PersistedState = { version: 1; baseFee: CalibrationState; tips: TipCalibrationState }

/** A built prediction with its blob part merged in (nothing added without one). */
function withBlobs<T extends { prediction: Prediction }>(built: T, blob: BlobPrediction | null): T {
  return { ...built, prediction: withBlobPrediction(built.prediction, blob) }
}

/** Waits for both writes (sent together), then fails with the first one's error, if any: none is left unhandled. */
async function bothSettled(first: Promise<void> | undefined, second: Promise<void>): Promise<void> {
  const [a, b] = await Promise.allSettled([first, second])
  if (a.status === 'rejected') throw a.reason
  if (b.status === 'rejected') throw b.reason
}

/** The stored state, if it is one this version reads. */
const persistedState = (stored: unknown): PersistedState | null => {
  const s = stored as Partial<PersistedState> | null
  return s?.version === 1 && s.baseFee?.version === 1 && s.tips?.version === 1 ? (s as PersistedState) : null
}

/**
 * The predictor of one chain: on every new block it reads the window from Redis, scores the estimates
 * the new blocks complete (live calibration), computes the Prediction, stores it and announces it.
 * The calibration state lives in Redis, so a restarted or new leader carries on where the last stopped.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one closure owns a chain's prediction state (calibration, its stored sequence, the last head); its steps (loadState, observe, runOnce, storePrediction, predictBlobs, loop) are named functions inside it
export function createPredictor({
  chainId,
  redis,
  forecaster,
  trainedRange,
  blobForecaster,
  logger,
  writer = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  legacyLayout = false,
  now = Date.now,
  onPrediction,
  blobSchedule,
}: CreatePredictorParameters): Predictor {
  const profile = chainProfile(chainId)
  const blobs: BlobPredictor | null = blobForecaster
    ? createBlobPredictor({
        chainId,
        schedule: blobSchedule,
        forecaster: blobForecaster,
        logger,
        store: {
          readState: () =>
            readBlobCalibrationState(redis, { chainId }).catch((error: unknown) => {
              if (error instanceof StoredValueError) return 'unreadable'
              throw error
            }),
          writeState: (state) => writeBlobCalibrationState(redis, { chainId, state }),
          readNodeSchedule: () => readBlobScheduleOfNode(redis, { chainId }),
        },
      })
    : null
  let state: PersistedState | null = null
  /** The calibration write the in-memory state follows (null: none was stored when it was read). */
  let seq: CalibrationSeq | null = null
  let running: Promise<void> | null = null
  let again = false
  let stopped = false
  /** The head of the last prediction: the same head is not predicted again (createdAt then keeps saying
   *  when feecast last received a new block, which the API's freshness counts). */
  let lastHead: { number: number; hash: string | null } | null = null
  /** The window, read incrementally: each block is fetched and parsed once, not on every run it is in. */
  const window = createLatestBlocksReader(redis, { chainId, count: windowBlocks })

  const loadState = async (): Promise<PersistedState> => {
    const read = await readCalibration(redis, { chainId })
    seq = read.seq
    // Not JSON: as unreadable as a state of another version.
    const stored: unknown = read.unreadable ? 'not JSON' : read.state
    if (stored !== null) {
      const state = persistedState(stored)
      if (state) return state
      logger.warn('stored calibration state is unreadable: starting a fresh one')
    }
    return {
      version: 1,
      baseFee: createCalibrationState({ prior: forecaster.calibrationPrior }),
      tips: createTipCalibrationState(),
    }
  }

  /**
   * Scores every block after the last one observed (in order). Returns the export of what was scored,
   * called once the state that counts it is stored, so the live counters count what the state counts.
   */
  const observe = (s: PersistedState, run: readonly BlockRecord[]): (() => void) => {
    const before = s.baseFee.scored.map((row) => [...row])
    const coveredBefore = s.baseFee.covered.map((row) => [...row])
    const lastObserved = s.baseFee.lastBlock
    const head = last(run)
    // New blocks in order; a head at or below the last one seen is a reorg, which observeBlock handles.
    const fresh =
      lastObserved === null || head.number <= lastObserved
        ? [head]
        : run.filter((r) => r.number > lastObserved)
    for (const r of fresh) {
      if (r.baseFeePerGas === null || r.baseFeePerGas <= 0n) continue
      observeBlock({ state: s.baseFee, block: r.number, logBaseFee: Math.log(Number(r.baseFeePerGas)) })
      observeTipBlock(s.tips, r.number, r.tips?.threshold ?? null)
    }
    return () => exportScores(s, before, coveredBefore)
  }

  const exportScores = (s: PersistedState, before: number[][], coveredBefore: number[][]) => {
    s.baseFee.horizons.forEach((n, h) => {
      if (!exportedHorizons.has(n)) return
      s.baseFee.confidences.forEach((p, c) => {
        if (!exportedConfidences.has(p)) return
        const scored = cell(s.baseFee.scored, h, c) - cell(before, h, c)
        const covered = cell(s.baseFee.covered, h, c) - cell(coveredBefore, h, c)
        for (let i = 0; i < scored; i++)
          metrics.recordCalibrationScore({ chainId, confidence: p, withinBlocks: n, covered: i < covered })
        const recent = cell(s.baseFee.recentCoverage, h, c)
        if (recent !== null)
          metrics.setCalibrationCoverage({ chainId, confidence: p, withinBlocks: n, coverage: recent })
      })
    })
  }

  const runOnce = async () => {
    const started = performance.now()
    state ??= await loadState()
    // One round trip for every read (ioredis sends them together): the head's path to the API waits on each.
    const [records, health, nodeSchedule] = await Promise.all([
      window.read(),
      readChainHealth(redis, { chainId }).catch(() => null),
      blobs ? readBlobScheduleOfNode(redis, { chainId }).catch(() => null) : null,
    ])
    const run = latestRun(records)
    const newest = run.at(-1)
    if (newest === undefined) return
    if (lastHead !== null && lastHead.number === newest.number && lastHead.hash === newest.hash) return
    // The block's trace (tracing off: null): the sampler's, continued here, or a new one.
    const trace = claimBlockTrace(chainId, newest.number)
    try {
      await predictHead({ s: state, run, newest, started, trace, health, nodeSchedule })
      endBlockTrace(trace)
    } catch (error) {
      endBlockTrace(trace, error)
      throw error
    }
  }

  /** The head's prediction: score, build, store with the state, export; each stage a span of the block's trace. */
  const predictHead = async ({
    s,
    run,
    newest,
    started,
    trace,
    health,
    nodeSchedule,
  }: {
    s: PersistedState
    run: BlockRecord[]
    newest: BlockRecord
    started: number
    trace: BlockTrace | null
    /** Read with the window, in the same round trip. */
    health: Awaited<ReturnType<typeof readChainHealth>> | null
    /** The node's blob schedule, read with the window too. */
    nodeSchedule: NodeBlobSchedule
  }) => {
    const exportScored = inBlockStageSync(trace, 'calibration.score', () => observe(s, run))
    const doubts = health?.ruleMismatch
      ? [`blocks no longer follow ${profile.name}'s known rules (${health.ruleMismatch.problem})`]
      : []
    const blobPart = blobs
      ? await inBlockStage(trace, 'blob', () => predictBlobs(run, nodeSchedule))
      : await predictBlobs(run, nodeSchedule)
    doubts.push(...blobPart.doubts)
    const built = withBlobs(
      buildPrediction({
        profile,
        records: run,
        forecaster,
        calibration: s.baseFee,
        tips: s.tips,
        now: now(),
        trainedRange,
        doubts,
        stage: trace === null ? undefined : (name, stage) => inBlockStageSync(trace, name, stage),
      }),
      blobPart.blob,
    )
    const head = newest.number
    recordEstimate({
      state: s.baseFee,
      block: head,
      logNextBaseFee: built.logNextBaseFee,
      thresholds: built.thresholds,
    })
    recordTipEstimate(s.tips, head, built.tipGrid)
    metrics.observePredictionDuration({ chainId, seconds: (performance.now() - started) / 1000 })
    // The block's trace travels with the stored prediction (an internal field the API never serves).
    const traceparent = traceparentOf(trace)
    const stored = traceparent === undefined ? built.prediction : { ...built.prediction, traceparent }
    await inBlockStage(
      trace,
      'redis.write_prediction',
      // The blob state is sent first, with the prediction's script: one round trip, stored in that order.
      () =>
        bothSettled(
          blobs?.persist(),
          storePrediction(stored, s, (json) => handOver({ prediction: built.prediction, json, traceparent })),
        ),
      { 'db.system.name': 'redis', 'db.operation.name': 'writePrediction' },
    )
    exportScored()
    lastHead = { number: newest.number, hash: newest.hash }
    logger.debug({ block: head, trust: built.prediction.trust.label }, 'prediction published')
  }

  /**
   * Stores the prediction with the state, following the stored state's sequence. Refused because this
   * process's own later writes are gone (a failover rolled the store back): its state in memory carries
   * them, so it is written back. Refused because another predictor wrote since: this state is dropped
   * (nothing it scored is exported) and the next run starts from the stored one.
   */
  const storePrediction = async (
    prediction: object,
    current: PersistedState,
    onStored?: (json: string) => void,
  ): Promise<void> => {
    const next = { seq: (seq?.seq ?? 0) + 1, writer }
    try {
      await writePrediction(redis, {
        chainId,
        prediction,
        calibrationState: current,
        calibrationSeq: { expected: seq, next },
        legacyLayout,
        onStored,
      })
      seq = next
    } catch (error) {
      if (!(error instanceof CalibrationConflictError)) throw error
      const stored = error.stored
      if (
        seq !== null &&
        seq.writer === writer &&
        (stored === null || (stored.writer === writer && stored.seq < seq.seq))
      ) {
        logger.warn(
          { stored: stored?.seq ?? null, written: seq.seq },
          'the store lost calibration writes of this predictor (a Redis failover, or forget-chain): writing its state back',
        )
        seq = stored
        return storePrediction(prediction, current, onStored)
      }
      logger.warn(
        { stored, followed: seq },
        'another predictor wrote the calibration state: continuing from the stored one',
      )
      state = null
      again = true
      throw error
    }
  }

  /** This process's API takes the stored prediction from memory; its failure is logged, never the write's. */
  const handOver = (local: StoredLocally) => {
    try {
      onPrediction?.(local)
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'local hand-over failed')
    }
  }

  /** The blob part; a failure there leaves the prediction without blob fields (and says why), never guessed. */
  const predictBlobs = async (run: readonly BlockRecord[], nodeSchedule: NodeBlobSchedule) => {
    if (!blobs) return { blob: null, doubts: [] as string[] }
    try {
      return await blobs.predict(run, nodeSchedule)
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error)
      logger.warn({ err: problem }, 'blob prediction failed')
      return { blob: null, doubts: [`no blob prediction: ${problem}`] }
    }
  }

  const loop = async () => {
    do {
      again = false
      try {
        await runOnce()
      } catch (error) {
        // A failed prediction leaves the last one in place (it ages into `stale`): never a made-up number.
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'prediction failed')
      }
    } while (again && !stopped)
    running = null
  }

  return {
    notify() {
      if (stopped) return
      if (running) {
        again = true
        return
      }
      running = loop()
    },
    async stop() {
      stopped = true
      await running
    },
  }
}

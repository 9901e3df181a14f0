import { confidenceLevels, horizons as predictionHorizons } from '@feecast/client'
import { type BlobSchedule, blobForkAt } from '../chains/blobSchedule.js'
import { builtInBlobSchedule } from '../chains/blobSchedules.js'
import { validateBlobSchedule } from '../chains/validateBlobSchedule.js'
import { blobRegimes } from '../fees/blobRegime.js'
import { at, cell, last } from '../lib/at.js'
import type { Logger } from '../lib/logger.js'
import * as metrics from '../metrics/metrics.js'
import type { BlobFeeForecaster } from '../model/blobForecaster.js'
import type { BlockRecord } from '../types.js'
import { type BlobCalibrationState, createBlobCalibrationState, observeBlobBlock } from './blobCalibration.js'
import { type BlobPrediction, buildBlobPrediction } from './buildBlobPrediction.js'
import { recordEstimate } from './calibration.js'

const exportedConfidences = new Set<number>(confidenceLevels)
const exportedHorizons = new Set<number>(predictionHorizons.filter((n) => n > 1))

/** The node's blob schedule as the sampler checked and stored it (its eth_config), with its problems. */
export type NodeBlobSchedule = { schedule: BlobSchedule | null; problems: string[] } | null

/** The store actions the blob side needs (createPredictor passes store/'s: this module does no I/O itself). */
export type BlobPredictorStore = {
  /** The persisted calibration state: parsed JSON, null when none, 'unreadable' when it is not JSON. */
  readState(): Promise<unknown>
  writeState(state: BlobCalibrationState): Promise<void>
  readNodeSchedule(): Promise<NodeBlobSchedule>
}

export type CreateBlobPredictorParameters = {
  chainId: number
  /** The chain's blob forks as configured: they win over the built-in ones (and the node's). */
  schedule?: BlobSchedule | undefined
  store: BlobPredictorStore
  forecaster: BlobFeeForecaster
  logger: Logger
}

export type BlobPredictor = {
  /**
   * One block's blob part: scores the blob estimates the new blocks complete, then predicts (null on a chain
   * without blobs) and records the new estimate. `doubts` are the problems of the node's blob schedule.
   */
  predict(
    run: readonly BlockRecord[],
    /** The node's schedule when the caller read it already (with the window, in one round trip). */
    nodeSchedule?: NodeBlobSchedule,
  ): Promise<{ blob: BlobPrediction | null; doubts: string[] }>
  /** Persists the calibration state (before the prediction made with it is stored). */
  persist(): Promise<void>
}

const isBlobCalibrationState = (stored: unknown): stored is BlobCalibrationState => {
  const s = stored as Partial<BlobCalibrationState> | null
  return s?.version === 1 && s.priced?.version === 1 && s.floor?.version === 1
}

/**
 * The blob side of a chain's predictor (issue 13): the schedule (configured by BLOB_SCHEDULE_<chainId>, else
 * built in for known chains, otherwise the one the sampler read from the node's eth_config), the live
 * calibration per regime, persisted beside the base-fee one, and buildBlobPrediction. The calibration state is scored with every block's exact blob base
 * fee (excess / update fraction of the block's own fork), as the blob backtest does.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one closure owns the blob calibration state and the schedule in force; its steps (loadState, scheduleOf, observe, predict, persist) are named functions inside it
export function createBlobPredictor({
  chainId,
  schedule: configured,
  store,
  forecaster,
  logger,
}: CreateBlobPredictorParameters): BlobPredictor {
  // The schedule this process is given (configured, else built in): the node's only when there is none.
  const givenSchedule = configured ?? builtInBlobSchedule(chainId)
  let state: BlobCalibrationState | null = null

  const loadState = async (): Promise<BlobCalibrationState> => {
    const stored = await store.readState()
    if (stored !== null && isBlobCalibrationState(stored)) return stored
    if (stored !== null) logger.warn('stored blob calibration state is unreadable: starting a fresh one')
    return createBlobCalibrationState({ priors: forecaster.calibrationPriors })
  }

  /** The schedule in force for this chain and what is doubtful about the node's one. */
  const scheduleOf = async (
    given: NodeBlobSchedule | undefined,
  ): Promise<{ schedule: BlobSchedule | null; doubts: string[] }> => {
    const ofNode = given !== undefined ? given : await store.readNodeSchedule().catch(() => null)
    const doubts = ofNode?.problems.map((p) => `blob schedule: ${p}`) ?? []
    if (givenSchedule) return { schedule: givenSchedule, doubts }
    if (!ofNode?.schedule) return { schedule: null, doubts }
    try {
      return { schedule: validateBlobSchedule('the stored eth_config schedule', ofNode.schedule), doubts }
    } catch (error) {
      return { schedule: null, doubts: [...doubts, error instanceof Error ? error.message : String(error)] }
    }
  }

  const observe = (s: BlobCalibrationState, schedule: BlobSchedule, run: readonly BlockRecord[]) => {
    const before = blobRegimes.map((r) => ({
      scored: s[r].scored.map((row) => [...row]),
      covered: s[r].covered.map((row) => [...row]),
    }))
    const lastSeen = s.priced.lastBlock
    const head = last(run)
    const fresh =
      lastSeen === null || head.number <= lastSeen ? [head] : run.filter((r) => r.number > lastSeen)
    for (const r of fresh) {
      if (r.excessBlobGas === null || r.timestamp === null) continue
      const fork = blobForkAt(schedule, r.timestamp)
      if (!fork) continue
      observeBlobBlock({
        state: s,
        block: r.number,
        logBlobFee: Number(r.excessBlobGas) / Number(fork.baseFeeUpdateFraction),
      })
    }
    blobRegimes.forEach((regime, i) => {
      const c = s[regime]
      const was = at(before, i)
      c.horizons.forEach((withinBlocks, h) => {
        if (!exportedHorizons.has(withinBlocks)) return
        c.confidences.forEach((confidence, k) => {
          if (!exportedConfidences.has(confidence)) return
          const labels = { chainId, regime, confidence, withinBlocks }
          const scored = cell(c.scored, h, k) - cell(was.scored, h, k)
          const covered = cell(c.covered, h, k) - cell(was.covered, h, k)
          for (let j = 0; j < scored; j++)
            metrics.recordBlobCalibrationScore({ ...labels, covered: j < covered })
          const recent = c.recentCoverage[h]?.[k] ?? null
          if (recent !== null) metrics.setBlobCalibrationCoverage({ ...labels, coverage: recent })
        })
      })
    })
  }

  return {
    async predict(run, nodeSchedule) {
      state ??= await loadState()
      const { schedule, doubts } = await scheduleOf(nodeSchedule)
      if (schedule === null || schedule.length === 0) return { blob: null, doubts }
      observe(state, schedule, run)
      const blob = buildBlobPrediction({
        records: run,
        schedule,
        forecaster,
        calibration: state,
        horizons: [...predictionHorizons],
      })
      const head = run[run.length - 1]
      if (blob && head)
        recordEstimate({
          state: state[blob.regime],
          block: head.number,
          logNextBaseFee: blob.logNextBlobFee,
          thresholds: blob.thresholds,
        })
      return { blob, doubts }
    },
    async persist() {
      if (state) await store.writeState(state)
    },
  }
}

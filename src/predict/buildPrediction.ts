import { confidenceLevels, horizons, type Prediction } from '@feecast/client'
import type { ChainProfile } from '../chains/chains.js'
import { computeFeatures, type Features } from '../features/computeFeatures.js'
import { feeRuleOf, maxLogStep } from '../features/feeRule.js'
import { pendingBlock } from '../features/pendingBlock.js'
import { toFeeSeries } from '../features/toFeeSeries.js'
import type { FeatureBlock } from '../features/types.js'
import { at, cell } from '../lib/at.js'
import type { BaseFeeForecaster, FeeQuantileForecast } from '../model/forecast.js'
import { interpolateQuantile } from '../model/normal.js'
import type { BlockRecord } from '../types.js'
import { type CalibratedThresholds, type CalibrationState, calibrateRunMax } from './calibration.js'
import { PredictionInputError } from './errors.js'
import { maxFeePerGasFor } from './maxFee.js'
import { type TipCalibrationState, tipFor } from './tipCalibration.js'

/** Blocks ahead of the base-fee forecast: the prediction's horizons past the next block (whose base fee is exact). */
const forecastHorizons = horizons.filter((n) => n > 1)

export type BuildPredictionParameters = {
  profile: ChainProfile
  /** The newest consecutive block records, ascending; the last is the head. */
  records: readonly BlockRecord[]
  forecaster: BaseFeeForecaster
  calibration: CalibrationState
  tips: TipCalibrationState
  /** unix ms */
  now: number
  /** Feature means/stds the model was trained on (inputs far outside them lower the trust label). */
  trainedRange?: { mean: readonly number[]; std: readonly number[] } | undefined
  /**
   * What the sampler doubts about the chain's data (its base fees no longer follow the chain's known
   * rule): each is a reason, and any makes the label low.
   */
  doubts?: readonly string[] | undefined
  /**
   * Runs each stage (features, model, calibration) and returns its result: the caller may time or
   * trace them (createPredictor's spans). Default: runs it.
   */
  stage?: PredictionStageRunner | undefined
}

export type PredictionStage = 'features' | 'model' | 'calibration'
export type PredictionStageRunner = <T>(stage: PredictionStage, run: () => T) => T
const runStage: PredictionStageRunner = (_stage, run) => run()

export type BuildPredictionReturnType = {
  prediction: Prediction
  /** What the calibration must record for scoring. */
  thresholds: CalibratedThresholds
  logNextBaseFee: number
  /** Tips per [tips.horizons][tips.confidences], for scoring. */
  tipGrid: (bigint | null)[][]
}

const toGwei = (wei: bigint) => Number(wei) / 1e9

function toFeatureBlock(r: BlockRecord): FeatureBlock {
  return {
    number: r.number,
    timestamp: r.timestamp,
    baseFeePerGas: r.baseFeePerGas,
    gasUsed: r.gasUsed,
    gasLimit: r.gasLimit,
    tipThreshold: r.tips?.threshold ?? null,
  }
}

/** The newest run of consecutive block numbers in ascending records. */
export function latestRun<T extends { number: number }>(records: readonly T[]): T[] {
  let start = records.length - 1
  while (start > 0 && at(records, start - 1).number === at(records, start).number - 1) start--
  return records.slice(Math.max(0, start))
}

/** A block at least 90 % full: the next one's tips compete (the base fee rises past it as well). */
const isCongested = (r: BlockRecord) =>
  r.gasUsed !== null && r.gasLimit !== null && r.gasLimit > 0n && r.gasUsed * 10n >= r.gasLimit * 9n

/** Features that sit more than this many training standard deviations out mean "outside the trained range". */
const outOfRangeSigmas = 6

/** The tip for (N, p) from the calibrated τ windows of the run; null when too few blocks carry tips. */
function tipsOf(run: readonly BlockRecord[], tips: TipCalibrationState, profile: ChainProfile) {
  const taus = run.map((r) => r.tips?.threshold ?? null)
  const congested = run.map(isCongested)
  const minimaCache = new Map<string, bigint[]>()
  return (n: number, p: number) =>
    tipFor({
      state: tips,
      thresholds: taus,
      withinBlocks: n,
      confidence: p,
      minTipWei: profile.minTipWei,
      ignoresTips: profile.ignoresTips,
      congested,
      congestedNow: congested[congested.length - 1],
      minimaCache,
    })
}

type EstimatesParameters = {
  profile: ChainProfile
  nextBaseFeePerGas: bigint
  thresholds: CalibratedThresholds
  tip: (n: number, p: number) => bigint | null
}

/**
 * An estimate for every level and horizon of the contract (the API serves any subset): the calibrated
 * base-fee cap plus the tip; `tipsMissing` when the chain's minimum tip stood in for a calibrated one.
 */
function estimatesOf({ profile, nextBaseFeePerGas, thresholds, tip }: EstimatesParameters) {
  let tipsMissing = false
  const estimates: Prediction['estimates'] = []
  for (const withinBlocks of horizons)
    for (const confidence of confidenceLevels) {
      let priority = tip(withinBlocks, confidence)
      if (priority === null) {
        tipsMissing = true
        priority = profile.minTipWei
      }
      const baseCap = maxFeePerGasFor({
        nextBaseFeePerGas,
        thresholds,
        withinBlocks,
        confidence,
        eip1559: profile.eip1559,
      })
      const maxFee = baseCap + priority
      // Paid, not cap: base fee + min(tip, maxFee - base fee), at the base fee it most likely meets.
      const expected = nextBaseFeePerGas + priority
      estimates.push({
        confidence,
        withinBlocks,
        maxPriorityFeePerGas: priority.toString(),
        maxFeePerGas: maxFee.toString(),
        expectedFeePerGas: expected.toString(),
        maxPriorityFeePerGasGwei: toGwei(priority),
        maxFeePerGasGwei: toGwei(maxFee),
      })
    }
  return { estimates, tipsMissing }
}

/** The model's marginal quantiles (50, 90, 99 %) of the base fee k blocks ahead, in wei. */
function baseFeeForecastOf(forecast: FeeQuantileForecast, logNext: number): Prediction['baseFeeForecast'] {
  return forecastHorizons
    .filter((k) => forecast.layout.horizons.includes(k))
    .map((blocksAhead) => {
      // filtered above: the model has this horizon
      const row = at(forecast.marginal, forecast.layout.horizons.indexOf(blocksAhead))
      const weiAt = (level: number) => {
        const q = interpolateQuantile(forecast.layout.marginalLevels, row, level)
        return BigInt(Math.round(Math.exp(logNext + q))).toString()
      }
      return { blocksAhead, quantiles: { '50': weiAt(0.5), '90': weiAt(0.9), '99': weiAt(0.99) } }
    })
}

type TrustParameters = {
  head: BlockRecord
  profile: ChainProfile
  features: Features
  calibration: CalibrationState
  trainedRange: BuildPredictionParameters['trainedRange']
  doubts: readonly string[]
  tipsMissing: boolean
  now: number
}

/**
 * How far to trust the prediction, with its reasons: stale data, a chain whose base-fee rule feecast does
 * not know, each doubt of the sampler and missing tips count twice; a short history, inputs outside the
 * trained range and live coverage at 90 % / N=3 off nominal (or not yet measured) once each. None: high;
 * one: medium; more: low.
 */
function trustOf({
  head,
  profile,
  features,
  calibration,
  trainedRange,
  doubts,
  tipsMissing,
  now,
}: TrustParameters) {
  const reasons: string[] = []
  let concerns = 0
  const ageMs = head.timestamp === null ? null : Math.max(0, now - head.timestamp * 1000)
  const stale = ageMs === null || ageMs > profile.freshnessSeconds * 1000
  if (stale) {
    reasons.push(ageMs === null ? 'head block time unknown' : `data is ${Math.round(ageMs / 1000)} s old`)
    concerns += 2
  } else reasons.push('fresh data')
  if (features.historyBlocks < 64) {
    reasons.push(`short history (${features.historyBlocks} blocks)`)
    concerns++
  }
  if (trainedRange) {
    const outside = Array.from(features.vector).filter(
      (v, i) => Math.abs(v - (trainedRange.mean[i] ?? 0)) > outOfRangeSigmas * (trainedRange.std[i] ?? 1),
    ).length
    if (outside > 0) {
      reasons.push(`${outside} input(s) outside the trained range`)
      concerns++
    } else reasons.push('inputs inside the trained range')
  }
  const c90 = calibration.confidences.indexOf(90)
  const h3 = calibration.horizons.indexOf(3)
  const recent = c90 >= 0 && h3 >= 0 ? cell(calibration.recentCoverage, h3, c90) : null
  const scored = c90 >= 0 && h3 >= 0 ? cell(calibration.scored, h3, c90) : 0
  if (recent === null || scored < 50) {
    reasons.push('live coverage not yet measured')
    concerns++
  } else if (Math.abs(recent - 0.9) > 0.05) {
    reasons.push(`recent coverage at 90% is ${(recent * 100).toFixed(1)}%`)
    concerns++
  } else reasons.push('recent coverage near nominal')
  if (profile.baseFeeRule === 'unknown') {
    reasons.push(
      `feecast does not know ${profile.name}'s base-fee rule: its base fees are only checked for plausibility`,
    )
    concerns += 2
  }
  for (const doubt of doubts) {
    reasons.push(doubt)
    concerns += 2
  }
  if (tipsMissing) {
    reasons.push('too few blocks with tips: maxPriorityFeePerGas is the chain minimum')
    concerns += 2
  }
  const label: Prediction['trust']['label'] = concerns === 0 ? 'high' : concerns === 1 ? 'medium' : 'low'
  return { ageMs, stale, trust: { label, reasons } }
}

/** The head's fullness (or the window's, without the head's gas) and the features' congestion level. */
function congestionOf(head: BlockRecord, features: Features): Prediction['congestion'] {
  const latestGasRatio =
    head.gasUsed !== null && head.gasLimit
      ? Number(head.gasUsed) / Number(head.gasLimit)
      : (features.congestion.gasUsedRatio ?? 0)
  const level = features.congestion.level
  return {
    level: level === 'low' ? 'low' : level === 'medium' ? 'moderate' : 'high',
    score: Math.min(1, Math.max(0, features.congestion.score)),
    gasUsedRatio: Math.max(0, latestGasRatio),
    ...(head.txCount === null ? {} : { txCount: head.txCount }),
  }
}

/**
 * One chain's full Prediction from its recent blocks (pure: no I/O, the caller stores and announces it).
 * The pending block's base fee is exact; maxFee for N blocks is that times the calibrated running-max
 * quantile, plus the tip; the tip is the calibrated quantile of the lowest inclusion threshold τ of
 * N-block windows.
 */
export function buildPrediction({
  profile,
  records,
  forecaster,
  calibration,
  tips,
  now,
  trainedRange,
  doubts = [],
  stage = runStage,
}: BuildPredictionParameters): BuildPredictionReturnType {
  const run = latestRun(records)
  const head = run[run.length - 1]
  if (!head) throw new PredictionInputError('no block records')
  const blocks = run.map(toFeatureBlock)
  const pending = pendingBlock({ latest: at(blocks, blocks.length - 1), eip1559: profile.eip1559 })
  if (!pending?.baseFeePerGas)
    throw new PredictionInputError(
      `block ${head.number} lacks the base fee, gas used or gas limit the next base fee needs`,
    )
  const nextBaseFeePerGas = pending.baseFeePerGas
  const features: Features = stage('features', () => {
    const series = toFeeSeries({ blocks: [...blocks, pending], eip1559: profile.eip1559 })
    return computeFeatures({ series, end: series.length - 1 })
  })
  const rule = feeRuleOf(profile.eip1559)
  const forecast = stage('model', () => forecaster.forecast(features, rule))
  const { thresholds, tip, tipGrid } = stage('calibration', () => {
    const thresholds = calibrateRunMax({ state: calibration, forecast, maxStep: maxLogStep(rule) })
    const tip = tipsOf(run, tips, profile)
    const tipGrid = tips.horizons.map((n) => tips.confidences.map((p) => tip(n, p)))
    return { thresholds, tip, tipGrid }
  })
  const { estimates, tipsMissing } = estimatesOf({ profile, nextBaseFeePerGas, thresholds, tip })
  const logNext = Math.log(Number(nextBaseFeePerGas))
  const { ageMs, stale, trust } = trustOf({
    head,
    profile,
    features,
    calibration,
    trainedRange,
    doubts,
    tipsMissing,
    now,
  })
  const prediction: Prediction = {
    chainId: profile.id,
    blockNumber: head.number,
    timestamp: head.timestamp ?? 0,
    createdAt: now,
    pendingBaseFeePerGas: nextBaseFeePerGas.toString(),
    ageMs: ageMs ?? 0,
    stale,
    estimates,
    baseFeeForecast: baseFeeForecastOf(forecast, logNext),
    congestion: congestionOf(head, features),
    trust,
    model: { version: forecaster.version, backend: forecaster.backend },
    market: marketOf(run),
  }
  return { prediction, thresholds, logNextBaseFee: logNext, tipGrid }
}

function trendOf(recent: bigint | undefined, older: bigint | undefined): 'up' | 'down' | 'level' | null {
  if (recent === undefined || older === undefined || older === 0n) return null
  const r = Number(recent) / Number(older)
  return r > 1.05 ? 'up' : r < 0.95 ? 'down' : 'level'
}

function rangeOf(values: bigint[]): [string, string] | null {
  const [first] = values
  if (first === undefined) return null
  let lo = first
  let hi = first
  for (const v of values) {
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return [lo.toString(), hi.toString()]
}

/** Recent market ranges and trends (for the MetaMask-compatible shape). */
function marketOf(run: readonly BlockRecord[]): NonNullable<Prediction['market']> {
  const last = run.slice(-200)
  const head = last[last.length - 1]
  const tipsOf = (rs: readonly BlockRecord[]) => rs.flatMap((r) => (r.tips ? [r.tips.p50] : []))
  const bases = last.flatMap((r) => (r.baseFeePerGas === null ? [] : [r.baseFeePerGas]))
  const median = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[xs.length >> 1]
  return {
    latestPriorityFeeRange: head?.tips ? [head.tips.min.toString(), head.tips.max.toString()] : null,
    historicalPriorityFeeRange: rangeOf(tipsOf(last)),
    historicalBaseFeeRange: rangeOf(bases),
    priorityFeeTrend: trendOf(median(tipsOf(last.slice(-10))), median(tipsOf(last.slice(-50, -10)))),
    baseFeeTrend: trendOf(bases[bases.length - 1], bases[Math.max(0, bases.length - 10)]),
  }
}

import { at, cell, last, outOfRange } from '../lib/at.js'
import type { FeeQuantileForecast } from '../model/forecast.js'
import { interpolateAtScore, normalQuantile } from '../model/normal.js'

/**
 * Online calibration of maxFee levels: adaptive conformal inference on the normal-score scale.
 *
 * For each horizon N and confidence p the published threshold is the model's running-max quantile read
 * at level Φ(Φ⁻¹(p) + δ[N][p]). N blocks after each estimate the outcome is known; then
 *   δ ← δ + η · (miss − (1 − p)),
 * so a miss raises the level and a hit lowers it a little, and over any stretch of T scored estimates the
 * miss rate is within (range of δ + η) / (η T) of 1 − p, whatever the data does (Gibbs & Candès 2021).
 * Working on the normal-score scale keeps one step size sensible from p = 50 (where levels move in
 * percent) to p = 99 (where they move in tenths of a percent), and it fixes both a wrong spread (the
 * model too calm or too nervous for the regime) and a wrong shape (mass at zero: the fee only falls).
 *
 * Levels above the model's top one (99.5 %) follow the model's own tail (thresholdAtScore), so a shift of
 * δ widens a calm decision little and a volatile one much. A new state has no evidence that the model's
 * tail suits its chain, so it starts with a floor that climbs to the worst case, whatever the model says;
 * the floor fades as outcomes arrive (half its weight after `capFade` expected misses of the cell).
 *
 * The state is a plain JSON object (persisted per chain by the caller); functions mutate it in place and
 * return it, because the predictor updates it once per block and copies would be waste.
 */
export type CalibrationState = {
  version: 1
  /** Percent, ascending. */
  confidences: number[]
  /** Blocks, ascending, each >= 2 (the next block's base fee is exact: N = 1 needs no calibration). */
  horizons: number[]
  /**
   * η at horizon 2; horizon N uses η · (2 / N)^horizonDecay (see createCalibrationState). The three
   * fields after it came later: states persisted without them read their defaults.
   */
  stepSize: number
  horizonDecay: number
  /** Step multiplier (φ(0) / φ(Φ⁻¹(p)))^levelScaling: see createCalibrationState. */
  levelScaling: number
  offsetBounds: [number, number]
  /**
   * Slack above the worst case ((N - 1) largest one-block rises) that thresholds may reach, log units.
   * Exact chain data never needs it (maxFeePerGasFor caps at the exact worst case); history published
   * with rounded base fees (whole gwei) moves a little more than EIP-1559 allows, and a threshold pinned
   * to the exact cap would be scored as missing there.
   */
  capSlack: number
  /**
   * How thresholds continue above the model's top level (see thresholdAtScore). Missing in states
   * persisted before it existed, which read 'cap': the offsets they learned assume it.
   */
  tail?: TailRule
  /**
   * 'spread' states only: the weight of the worst-case floor above the top level is
   * 1 / (1 + scored · (1 - p) / capFade), 1 for a new state, 1/2 after capFade expected misses (missing or
   * 0: no floor).
   */
  capFade?: number
  /** δ by [horizon][confidence], normal-score units. */
  offset: number[][]
  lastBlock: number | null
  pending: PendingEstimate[]
  /** Scored estimates and how many were covered, by [horizon][confidence], since the state was created. */
  scored: number[][]
  covered: number[][]
  /** Exponentially weighted coverage of about the last `recentWindow` scored estimates (null: none yet). */
  recentCoverage: (number | null)[][]
  recentWindow: number
}

export type PendingEstimate = {
  /** The latest mined block when the estimate was made; it covers blocks block+1 .. block+N. */
  block: number
  /** log of the exact next base fee b[block+1]. */
  logNextBaseFee: number
  /** log of the largest base fee seen so far in the window. */
  runMax: number
  /** Each cell's own threshold (log ratio to the next base fee), by [horizon][confidence]. */
  thresholds: number[][]
}

export type CreateCalibrationStateParameters = {
  confidences?: number[]
  horizons?: number[]
  /**
   * η at horizon 2, normal-score units per scored estimate. Outcomes of horizon N arrive N blocks late
   * and in bursts (one fee spike misses every estimate of the N blocks before it), so a controller that
   * stepped the same for every horizon would overshoot and swing at long horizons; the step shrinks as
   * (2 / N)^horizonDecay.
   */
  stepSize?: number
  horizonDecay?: number
  /**
   * A level shift of δ changes the coverage of confidence p by about φ(Φ⁻¹(p))·δ: 0.40δ at p = 50 but
   * 0.027δ at p = 99, where misses are also rarer. With one step for all, a wrong 99% level would take
   * fifteen times longer to correct than a wrong median. The step grows in the tail by
   * (φ(0) / φ(Φ⁻¹(p)))^levelScaling (1: equal adaptation speed, as ACI on the probability scale).
   */
  levelScaling?: number
  capSlack?: number
  /** Default 'spread' (see TailRule). */
  tail?: TailRule
  /**
   * Expected misses over which a new state's worst-case floor fades to half its weight (default 8, about
   * 800 outcomes at p = 99, 80 at p = 90). The prior comes from other windows than the chain's own;
   * until the chain's outcomes confirm the model's tail, thresholds far out keep a model-free floor.
   */
  capFade?: number
  offsetBounds?: [number, number]
  recentWindow?: number
  /** Starting offsets (a model's scaling.json `calibrationPrior`); cells it lacks start at 0. */
  prior?: { confidences: number[]; horizons: number[]; offset: number[][] } | undefined
}

export const defaultCalibrationConfidences = [50, 60, 70, 80, 90, 95, 97.5, 99, 99.5]
export const defaultCalibrationHorizons = Array.from({ length: 19 }, (_, i) => i + 2)

export function createCalibrationState({
  confidences = defaultCalibrationConfidences,
  horizons = defaultCalibrationHorizons,
  stepSize = 0.1,
  horizonDecay = 1,
  levelScaling = 0.5,
  capSlack = 0.02,
  tail = 'spread',
  capFade = 8,
  offsetBounds = [-2.5, 3],
  recentWindow = 256,
  prior,
}: CreateCalibrationStateParameters = {}): CalibrationState {
  for (const [i, c] of confidences.entries())
    if (!(c > 0 && c < 100) || (i > 0 && c <= at(confidences, i - 1)))
      throw new RangeError('calibration confidences must ascend within (0, 100)')
  for (const [i, n] of horizons.entries())
    if (!Number.isInteger(n) || n < 2 || (i > 0 && n <= at(horizons, i - 1)))
      throw new RangeError('calibration horizons must be ascending integers >= 2')
  const grid = <T>(value: (n: number, p: number) => T) =>
    horizons.map((n) => confidences.map((p) => value(n, p)))
  const priorOffset = (n: number, p: number) => {
    if (!prior) return 0
    const ph = prior.horizons.indexOf(n)
    const pc = prior.confidences.indexOf(p)
    return ph >= 0 && pc >= 0 ? (prior.offset[ph]?.[pc] ?? 0) : 0
  }
  return {
    version: 1,
    confidences: [...confidences],
    horizons: [...horizons],
    stepSize,
    horizonDecay,
    levelScaling,
    capSlack,
    tail,
    capFade,
    offsetBounds,
    offset: grid((n, p) => Math.min(offsetBounds[1], Math.max(offsetBounds[0], priorOffset(n, p)))),
    lastBlock: null,
    pending: [],
    scored: grid(() => 0),
    covered: grid(() => 0),
    recentCoverage: grid(() => null),
    recentWindow,
  }
}

/** Calibrated running-max thresholds: log(maxFee / next base fee) by [horizon][confidence] of the state. */
export type CalibratedThresholds = {
  horizons: number[]
  confidences: number[]
  /** What each cell's own controller stands behind (recorded and scored). */
  own: number[][]
  /** Monotone in horizon and confidence (running maximum over both): what is published. */
  published: number[][]
  /** log of the largest base-fee rise per block (the worst-case cap is (N - 1) times this). */
  maxStep: number
  /** The state's capSlack (thresholds may exceed the worst case by this much). */
  capSlack?: number
}

/** The model's running-max quantile curve at horizon n (beyond its horizons: scaled by √time). */
function runMaxCurve(forecast: FeeQuantileForecast, n: number): ArrayLike<number> {
  const horizons = forecast.layout.horizons
  const exact = forecast.runMax[horizons.indexOf(n)]
  if (exact) return exact
  const longer = forecast.runMax[horizons.findIndex((k) => k > n)]
  if (longer) return longer // conservative: the next longer horizon
  const scale = Math.sqrt((n - 1) / (last(horizons) - 1))
  return Array.from(at(forecast.runMax, horizons.length - 1), (q) => q * scale)
}

/**
 * How a running-max quantile curve continues above its top level:
 * - 'spread': along the model's own upper tail, at the steeper of its slope over the top stretches
 *   (97.5 % to the top level, on the normal-score scale) and its mean slope from the median to the top.
 *   A threshold above the top level then grows with the spread the model sees for this very decision:
 *   a calm decision stays narrow, a volatile one widens, and the median-to-top slope keeps a flattened
 *   tail (the atom of the running max at the worst case, a run of full blocks) from leaving the
 *   calibration no way up.
 * - 'cap': straight to the worst case two normal scores further out, whatever the model's spread (the
 *   first rule: it inflates a calm decision as much as a volatile one; kept for persisted states).
 *   With 'spread', `capWeight` (0..1) mixes this slope back in as a floor: a new state's caution.
 */
export type TailRule = 'cap' | 'spread'

/**
 * The threshold (log ratio to the next base fee) that a running-max quantile curve gives at normal
 * score z, clamped to [0, cap]. `scores` are the curve's levels as normal scores (ascending).
 */
export function thresholdAtScore(
  scores: readonly number[],
  curve: ArrayLike<number>,
  z: number,
  cap: number,
  tail: TailRule = 'spread',
  capWeight = 0,
): number {
  const n = scores.length
  const topScore = last(scores)
  let q = interpolateAtScore(scores, curve, z)
  if (z > topScore && n > 1) {
    const top = curve[n - 1] ?? outOfRange(curve, n - 1)
    let slope: number
    if (tail === 'cap') slope = (cap - top) / 2
    else {
      const i0 = Math.max(0, n - 3)
      let mid = 0
      while (mid < n - 1 && (scores[mid] ?? outOfRange(scores, mid)) < 0) mid++
      slope =
        (top - (curve[i0] ?? outOfRange(curve, i0))) / (topScore - (scores[i0] ?? outOfRange(scores, i0)))
      if (mid < n - 1)
        slope = Math.max(
          slope,
          (top - (curve[mid] ?? outOfRange(curve, mid))) /
            (topScore - (scores[mid] ?? outOfRange(scores, mid))),
        )
      if (capWeight > 0) slope = Math.max(slope, (capWeight * (cap - top)) / 2)
    }
    q = Math.max(q, top + slope * (z - topScore))
  }
  return Math.min(cap, Math.max(0, q))
}

export type CalibrateRunMaxParameters = {
  state: CalibrationState
  forecast: FeeQuantileForecast
  /** log(1 + (E - 1) / D): the largest one-block rise (maxLogStep of the chain's fee rule). */
  maxStep: number
}

/**
 * The model's running-max quantiles read at each cell's shifted level, clamped to [0, worst case]:
 * `own` is what each cell's controller answers for (recorded with recordEstimate and scored), `published`
 * its running maximum over horizons and confidences, which is what maxFee is computed from.
 */
export function calibrateRunMax({
  state,
  forecast,
  maxStep,
}: CalibrateRunMaxParameters): CalibratedThresholds {
  const levelScores = forecast.layout.runMaxLevels.map(normalQuantile)
  const confidenceScores = state.confidences.map((p) => normalQuantile(p / 100))
  const tail = state.tail ?? 'cap'
  const fade = state.capFade ?? 0
  const own = state.horizons.map((n, h) => {
    const curve = runMaxCurve(forecast, n)
    const cap = (n - 1) * maxStep + (state.capSlack ?? 0.02)
    return confidenceScores.map((z, c) => {
      const misses = cell(state.scored, h, c) * (1 - at(state.confidences, c) / 100) // expected so far
      const floor = fade > 0 ? 1 / (1 + misses / fade) : 0
      return thresholdAtScore(levelScores, curve, z + cell(state.offset, h, c), cap, tail, floor)
    })
  })
  const published = own.map((row) => {
    const out = [...row]
    for (let c = 1; c < out.length; c++)
      out[c] = Math.max(out[c] ?? outOfRange(out, c), out[c - 1] ?? outOfRange(out, c - 1))
    return out
  })
  for (let h = 1; h < published.length; h++) {
    const row = at(published, h)
    const shorter = at(published, h - 1)
    for (const [c, threshold] of row.entries())
      row[c] = Math.max(threshold, shorter[c] ?? outOfRange(shorter, c))
  }
  return {
    horizons: state.horizons,
    confidences: state.confidences,
    own,
    published,
    maxStep,
    capSlack: state.capSlack ?? 0.02,
  }
}

export type RecordEstimateParameters = {
  state: CalibrationState
  /** The latest mined block (the estimate covers the blocks after it). */
  block: number
  logNextBaseFee: number
  thresholds: CalibratedThresholds
}

/** Remembers an estimate so that it can be scored when its blocks arrive. */
export function recordEstimate({
  state,
  block,
  logNextBaseFee,
  thresholds,
}: RecordEstimateParameters): CalibrationState {
  state.pending = state.pending.filter((e) => e.block !== block)
  state.pending.push({
    block,
    logNextBaseFee,
    runMax: logNextBaseFee,
    thresholds: thresholds.own.map((row) => row.map((x) => Math.round(x * 1e6) / 1e6)),
  })
  return state
}

export type ObserveBlockParameters = {
  state: CalibrationState
  block: number
  /** log of the block's base fee (natural log of wei, or of a relative path: only differences matter). */
  logBaseFee: number
}

/**
 * Feeds a mined block: updates every pending estimate's running max and scores those whose horizon it
 * completes. Blocks must come in order; after a gap the unscorable estimates are dropped, and a block at
 * or below the last one (a reorg) drops the estimates its replaced blocks touched.
 */
export function observeBlock({ state, block, logBaseFee }: ObserveBlockParameters): CalibrationState {
  const maxHorizon = state.horizons[state.horizons.length - 1] ?? 1
  if (state.lastBlock !== null) {
    if (block <= state.lastBlock) state.pending = state.pending.filter((e) => e.block + maxHorizon < block)
    else if (block > state.lastBlock + 1) state.pending = []
  }
  state.lastBlock = block
  if (!Number.isFinite(logBaseFee)) {
    state.pending = []
    return state
  }
  const [lo, hi] = state.offsetBounds
  const keep: PendingEstimate[] = []
  for (const e of state.pending) {
    if (e.block >= block) continue // made after this block: stale once it is replaced
    const n = block - e.block
    if (logBaseFee > e.runMax) e.runMax = logBaseFee
    const h = n >= 2 ? state.horizons.indexOf(n) : -1
    if (h >= 0) {
      const rise = e.runMax - e.logNextBaseFee
      const thresholds = at(e.thresholds, h)
      const eta = state.stepSize * (2 / n) ** (state.horizonDecay ?? 1)
      const offset = at(state.offset, h)
      const scored = at(state.scored, h)
      const covered = at(state.covered, h)
      const recentCoverage = at(state.recentCoverage, h)
      for (const [c, p] of state.confidences.entries()) {
        const hit = rise <= at(thresholds, c) + 1e-9
        const alpha = 1 - p / 100
        const z = normalQuantile(1 - alpha)
        const levelStep = Math.exp(((state.levelScaling ?? 0.5) * z * z) / 2) // (φ(0) / φ(z))^levelScaling
        offset[c] = Math.min(hi, Math.max(lo, at(offset, c) + eta * levelStep * ((hit ? 0 : 1) - alpha)))
        scored[c] = at(scored, c) + 1
        if (hit) covered[c] = at(covered, c) + 1
        const recent = at(recentCoverage, c)
        recentCoverage[c] =
          recent === null ? (hit ? 1 : 0) : recent + ((hit ? 1 : 0) - recent) / state.recentWindow
      }
    }
    if (n < maxHorizon) keep.push(e)
  }
  state.pending = keep
  return state
}

export type CoverageRow = {
  confidence: number
  withinBlocks: number
  scored: number
  covered: number
  /** covered / scored since the state was created (null: nothing scored). */
  coverage: number | null
  recentCoverage: number | null
  /** The calibration's current level shift, normal-score units. */
  offset: number
}

/** Live coverage per confidence and horizon, for metrics and the trust label. */
export function calibrationCoverage(state: CalibrationState): CoverageRow[] {
  return state.horizons.flatMap((n, h) =>
    state.confidences.map((p, c) => ({
      confidence: p,
      withinBlocks: n,
      ...coverageOf(cell(state.scored, h, c), cell(state.covered, h, c)),
      recentCoverage: cell(state.recentCoverage, h, c),
      offset: cell(state.offset, h, c),
    })),
  )
}

function coverageOf(scored: number, covered: number): Pick<CoverageRow, 'scored' | 'covered' | 'coverage'> {
  return { scored, covered, coverage: scored > 0 ? covered / scored : null }
}

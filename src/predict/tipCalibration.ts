import { confidenceLevels, horizons as predictionHorizons } from '@feecast/client'
import { at, outOfRange } from '../lib/at.js'
/**
 * Tips for inclusion within N blocks with probability p, from the inclusion thresholds τ the sampler
 * records, kept honest online.
 *
 * A tip t gets a transaction into one of the next N blocks when it beats τ of at least one of them, so
 * the quantity that matters is the running minimum m = min(τ[b+1..b+N]). Its empirical p-quantile over
 * recent windows answers the question directly and keeps the autocorrelation of bursts (a sequence of
 * N full blocks is far likelier than N independent draws would say). Regimes change faster than any
 * window adapts, so each (N, p) cell carries a level offset moved by adaptive conformal inference: a
 * miss raises the level read, a hit lowers it by (1 - p)/p as much, holding the long-run miss rate at 1 - p.
 */

export type TipCalibrationState = {
  version: 1
  confidences: number[]
  horizons: number[]
  /** Level actually read from the window-minimum distribution, percent, by [horizon][confidence]. */
  level: number[][]
  /** ACI step in percentage points of level per scored estimate. */
  stepSize: number
  /** Estimates waiting for their N blocks: tip per [horizon][confidence] as decimal wei strings. */
  pending: Array<{ block: number; tips: string[][]; runMin: string | null }>
  lastBlock: number | null
  scored: number[][]
  covered: number[][]
}

export function createTipCalibrationState({
  confidences = [...confidenceLevels],
  horizons = [...predictionHorizons],
  stepSize = 5,
}: {
  confidences?: number[]
  horizons?: number[]
  stepSize?: number
} = {}): TipCalibrationState {
  const grid = <T>(f: (c: number) => T) => horizons.map(() => confidences.map(f))
  return {
    version: 1,
    confidences: [...confidences],
    horizons: [...horizons],
    level: grid((c) => c),
    stepSize,
    pending: [],
    lastBlock: null,
    scored: grid(() => 0),
    covered: grid(() => 0),
  }
}

/** Upper nearest-rank quantile (level in percent) of a sorted array; never below the data. */
function quantileOfSorted(sorted: readonly bigint[], level: number): bigint {
  const rank = Math.ceil((level / 100) * sorted.length)
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1))
  return sorted[index] ?? outOfRange(sorted, index)
}

/**
 * min(τ[i..i+n-1]) for every full window of the series (null τ: block without a usable threshold),
 * sorted; with `startsAt`, only the windows starting at the indices it accepts.
 */
export function windowMinima(
  thresholds: readonly (bigint | null)[],
  n: number,
  startsAt: (i: number) => boolean = () => true,
): bigint[] {
  // A sliding-window minimum over the tips as numbers (exact below 2^53 wei, 9 million gwei; above it
  // near-equal tips may swap order, which no quantile notices), keeping each window's minimum as the
  // bigint it was: a prediction reads a dozen of these series, and bigint comparisons in nested loops
  // cost most of its time.
  const values = thresholds.map((t) => (t == null ? Number.NaN : Number(t)))
  const queue: number[] = [] // indices of non-null tips, values rising
  let head = 0
  const starts: number[] = []
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? outOfRange(values, i)
    if (!Number.isNaN(v)) {
      while (queue.length > head) {
        const back = queue[queue.length - 1] ?? outOfRange(queue, queue.length - 1)
        if ((values[back] ?? outOfRange(values, back)) < v) break
        queue.pop()
      }
      queue.push(i)
    }
    const start = i - n + 1
    if (start < 0) continue
    while (queue.length > head && (queue[head] ?? outOfRange(queue, head)) < start) head++
    if (queue.length > head && startsAt(start)) starts.push(queue[head] ?? outOfRange(queue, head))
  }
  starts.sort((x, y) => (values[x] ?? outOfRange(values, x)) - (values[y] ?? outOfRange(values, y)))
  // the queue only ever holds blocks with a tip: the guard never skips, it only narrows the type
  const minima: bigint[] = []
  for (const i of starts) {
    const tip = at(thresholds, i)
    if (tip !== null) minima.push(tip)
  }
  return minima
}

/** `windowMinima` of the windows whose preceding block was in `state` (congested or not). */
export function windowMinimaAfter(
  thresholds: readonly (bigint | null)[],
  n: number,
  congested: readonly boolean[],
  state: boolean,
): bigint[] {
  return windowMinima(thresholds, n, (i) => i > 0 && congested[i - 1] === state)
}

export type TipEstimateParameters = {
  state: TipCalibrationState
  /** τ of recent blocks, oldest first (null where the block had no usable tips). */
  thresholds: readonly (bigint | null)[]
  withinBlocks: number
  confidence: number
  minTipWei?: bigint
  ignoresTips?: boolean
  /**
   * Per block, aligned with `thresholds`: whether it was congested (full). With `congestedNow` (the head's
   * state), the level is read from the windows that followed a block in the same state as the head, when
   * there are enough of them to resolve it: a full head is followed by full blocks far more often than a
   * half-empty one, so a tip read from all windows alike overpays in calm spells and underbids in rushes.
   */
  congested?: readonly boolean[] | undefined
  congestedNow?: boolean | undefined
  /**
   * Sorted window minima by horizon (and state), shared across calls on the same thresholds: a
   * prediction asks for every (N, p), and the minima depend on N only.
   */
  minimaCache?: Map<string, bigint[]>
}

/**
 * The maxPriorityFeePerGas for (N, p). Null when there is not enough tip data (fewer than 8 windows):
 * the caller says so instead of inventing a number.
 */
export function tipFor({
  state,
  thresholds,
  withinBlocks,
  confidence,
  minTipWei = 0n,
  ignoresTips = false,
  congested,
  congestedNow,
  minimaCache,
}: TipEstimateParameters): bigint | null {
  if (ignoresTips) return minTipWei
  const cached = (key: string, make: () => bigint[]) => {
    let minima = minimaCache?.get(key)
    if (!minima) {
      minima = make()
      minimaCache?.set(key, minima)
    }
    return minima
  }
  const minima = cached(String(withinBlocks), () => windowMinima(thresholds, withinBlocks))
  if (minima.length < 8) return null
  const level = levelFor(state, withinBlocks, confidence)
  // The level-quantile of m window minima resolves the level only when m·(1 - level) ≥ 1; below that it
  // is their maximum.
  const resolves = (m: number) => m * (1 - level / 100) >= 1
  let source = minima
  if (congested !== undefined && congestedNow !== undefined) {
    const alike = cached(`${withinBlocks}:${congestedNow}`, () =>
      windowMinimaAfter(thresholds, withinBlocks, congested, congestedNow),
    )
    if (alike.length >= 8 && resolves(alike.length)) source = alike
  }
  // On a young chain (or a level the calibration has pushed up) the maximum of a few window minima can
  // come from quiet windows just before a rush. Then read the level of the single blocks' τ instead: a
  // window's minimum never exceeds any τ in it, so this errs on the side of getting in.
  if (withinBlocks > 1 && source === minima && !resolves(minima.length)) {
    const single = cached('1', () => windowMinima(thresholds, 1))
    if (single.length >= 8) source = single
  }
  const tip = quantileOfSorted(source, level)
  return tip > minTipWei ? tip : minTipWei
}

/** The calibrated level for (N, p): the nearest grid horizon at or above N; monotone in p. */
export function levelFor(state: TipCalibrationState, withinBlocks: number, confidence: number): number {
  let h = state.horizons.findIndex((n) => n >= withinBlocks)
  if (h < 0) h = state.horizons.length - 1
  const row = at(state.level, h)
  let level = confidence
  let best = -1
  for (let c = 0; c < state.confidences.length; c++) {
    const gridConfidence = state.confidences[c] ?? outOfRange(state.confidences, c)
    if (gridConfidence <= confidence) {
      best = c
      level = Math.max(level, (row[c] ?? outOfRange(row, c)) + (confidence - gridConfidence))
    }
  }
  if (best < 0)
    level = Math.max(
      confidence,
      (row[0] ?? outOfRange(row, 0)) -
        ((state.confidences[0] ?? outOfRange(state.confidences, 0)) - confidence),
    )
  return Math.min(100, Math.max(1, level))
}

/** Remembers the grid's tips for `block` (the newest mined block) so they can be scored later. */
export function recordTipEstimate(
  state: TipCalibrationState,
  block: number,
  tips: (bigint | null)[][],
): void {
  state.pending = state.pending.filter((e) => e.block !== block)
  state.pending.push({
    block,
    tips: tips.map((row) => row.map((t) => (t === null ? '' : t.toString()))),
    runMin: null,
  })
}

/**
 * Feeds a mined block's τ (null: no usable tips; such a block neither helps nor hurts). Scores every
 * estimate whose horizon it completes: covered when its tip reached the lowest τ of its window.
 */
export function observeTipBlock(state: TipCalibrationState, block: number, threshold: bigint | null): void {
  const maxHorizon = state.horizons[state.horizons.length - 1] ?? 1
  const { lastBlock } = state
  if (lastBlock !== null && block !== lastBlock + 1)
    state.pending = state.pending.filter(
      (e) => e.block < block && block - e.block <= maxHorizon && block > lastBlock,
    )
  state.lastBlock = block
  const keep: TipCalibrationState['pending'] = []
  for (const e of state.pending) {
    const n = block - e.block
    if (n <= 0) continue
    if (threshold !== null && (e.runMin === null || threshold < BigInt(e.runMin)))
      e.runMin = threshold.toString()
    const h = state.horizons.indexOf(n)
    if (h >= 0 && e.runMin !== null) {
      const runMin = BigInt(e.runMin)
      const row = at(state.level, h)
      const scored = at(state.scored, h)
      const covered = at(state.covered, h)
      for (const [c, confidence] of state.confidences.entries()) {
        const tip = e.tips[h]?.[c]
        if (!tip) continue
        const hit = BigInt(tip) >= runMin
        const alpha = 1 - confidence / 100
        // ACI on the level (percent): miss → up by η·(1 - α), hit → down by η·α.
        row[c] = Math.min(99.9, Math.max(1, at(row, c) + state.stepSize * ((hit ? 0 : 1) - alpha)))
        scored[c] = at(scored, c) + 1
        if (hit) covered[c] = at(covered, c) + 1
      }
    }
    if (n < maxHorizon) keep.push(e)
  }
  state.pending = keep
}

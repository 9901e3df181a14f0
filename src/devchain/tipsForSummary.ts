import { at, last } from '../lib/at.js'
import type { Random } from '../lib/random.js'

export type TipsForSummaryParameters = {
  count: number
  /** Targets: null where the file has no value (then anything plausible will do). */
  min: bigint | null
  avg: bigint | null
  max: bigint | null
  random: Random
  /** Scale of synthesized tips when neither min, avg nor max is given (wei). */
  typicalTip?: bigint
}

export type TipsForSummaryReturnType = {
  /** Sorted descending (block order: builders put the best-paying transactions first). */
  tips: bigint[]
  /** Whether min, floor-mean and max of `tips` equal every given target. */
  exact: boolean
}

const gwei = 1_000_000_000n

/** floor(x * f) for a float factor f in [0, 1e6], in integers. */
const scale = (x: bigint, f: number) => (x * BigInt(Math.round(f * 1e6))) / 1_000_000n

/**
 * A list of `count` effective tips whose min, floor of the mean and max equal the given values, for
 * replaying history files that carry only those summaries. The values in between are spread so that
 * percentiles look like a market (a few high bidders, most near the middle), not a constant.
 *
 * Feasibility: with c tips between m and M summing to S (a·c <= S <= a·c + c - 1), the c - 2 inner
 * tips must sum to S - m - M within [(c-2)·m, (c-2)·M]. When the targets contradict each other (avg
 * outside [min, max], too few transactions for the spread) the closest list is returned with
 * `exact: false`.
 */
export function tipsForSummary({
  count,
  min,
  avg,
  max,
  random,
  typicalTip = gwei / 10n,
}: TipsForSummaryParameters): TipsForSummaryReturnType {
  const targets = { min, avg, max }
  if (count <= 0) return { tips: [], exact: min === null && avg === null && max === null }
  const center =
    avg ??
    (min !== null && max !== null
      ? (min + max) / 2n
      : (min ?? max ?? scale(typicalTip, random.pareto(1.5, 50))))
  if (count === 1) {
    const t = avg ?? min ?? max ?? center
    return { tips: [t], exact: [min, avg, max].every((v) => v === null || v === t) }
  }
  // Choose the extremes that were not given, leaving room for the mean.
  let m = min ?? center - scale(center, 0.2 + 0.7 * random.next())
  let M = max ?? center + scale(center > 0n ? center : typicalTip, 0.5 + 2 * random.pareto(1.3, 20))
  if (m > M) {
    if (min === null) m = M
    else if (max === null) M = m
  }
  if (count === 2) return finish(twoTips(targets, m, M, random), targets)
  const c = BigInt(count)
  if (avg !== null) ({ m, M } = extremesForMean(targets, avg, c, m, M))
  const inner = c - 2n
  const middle =
    avg === null
      ? spreadFreely(inner, m, M, random)
      : spreadToSum(innerSum(avg, c, m, M), inner, m, M, random)
  return finish([M, ...middle, m], targets)
}

type Targets = { min: bigint | null; avg: bigint | null; max: bigint | null }

/** Two tips: the extremes, moved so that their floor-mean is the mean asked for. */
function twoTips({ min, avg, max }: Targets, low: bigint, high: bigint, random: Random): bigint[] {
  let m = low
  let M = high
  if (avg === null) return [M, m]
  if (min !== null && max === null) M = 2n * avg - m
  else if (max !== null && min === null) {
    m = 2n * avg - M
    if (m < 0n) m = 2n * avg + 1n - M
  } else if (min === null && max === null) {
    const d = scale(avg, 0.3 * random.next())
    m = avg - d
    M = avg + d
  }
  const pair = M > m ? [M, m] : [m, M]
  return pair.map((t) => (t < 0n ? 0n : t))
}

/** The free extremes kept inside what the mean allows: (c-1)·m + M <= a·c + c - 1 and a·c <= m + (c-1)·M. */
function extremesForMean(
  { min, max }: Targets,
  avg: bigint,
  c: bigint,
  low: bigint,
  high: bigint,
): { m: bigint; M: bigint } {
  let m = low
  let M = high
  if (max === null && (c - 1n) * m + M > avg * c + c - 1n) M = avg * c + c - 1n - (c - 1n) * m
  if (min === null && (c - 1n) * m + M > avg * c + c - 1n) {
    const bound = (avg * c + c - 1n - M) / (c - 1n)
    m = bound < 0n ? 0n : bound
  }
  if (max === null && m + (c - 1n) * M < avg * c) M = (avg * c - m + c - 2n) / (c - 1n)
  // A given max close to the mean forces the others up: m >= a·c - (c-1)·M.
  if (min === null && m + (c - 1n) * M < avg * c) m = avg * c - (c - 1n) * M
  if (M < m) M = m
  return { m, M }
}

/** Sum of the inner tips: aim at the mean exactly (remainder 0), or the smallest remainder that fits. */
function innerSum(avg: bigint, c: bigint, m: bigint, M: bigint): bigint {
  const inner = c - 2n
  const lowest = avg * c - m - M
  const need = inner * m - lowest // the remainder must be >= need
  let r = need > 0n ? need : 0n
  if (r > c - 1n) r = c - 1n
  const sum = lowest + r
  if (sum < inner * m) return inner * m
  if (sum > inner * M) return inner * M
  return sum
}

/** No mean to hit: the inner tips spread with more mass near the low end, as markets do. */
function spreadFreely(inner: bigint, m: bigint, M: bigint, random: Random): bigint[] {
  const middle: bigint[] = []
  for (let i = 0n; i < inner; i++) middle.push(m + scale(M - m, random.next() ** 2))
  return middle
}

/** `inner` tips in [m, M] summing to `sum`: random shares of what is above m, capped at the width. */
function spreadToSum(sum: bigint, inner: bigint, m: bigint, M: bigint, random: Random): bigint[] {
  const width = M - m
  let extra = sum - inner * m
  // Integer weights, so the floored shares never add up to more than `extra`.
  const weights = Array.from({ length: Number(inner) }, () =>
    BigInt(1 + Math.round(random.exponential(1) * 1e6)),
  )
  let total = 0n
  for (const w of weights) total += w
  const shares = weights.map((w) => {
    let e = (extra * w) / total
    if (e > width) e = width
    return e
  })
  for (const e of shares) extra -= e
  // Whatever rounding and the caps left over goes to the tips with room, in order.
  for (let i = 0; i < shares.length && extra > 0n; i++) {
    const share = shares[i] ?? 0n
    const room = width - share
    const add = room < extra ? room : extra
    shares[i] = share + add
    extra -= add
  }
  return shares.map((e) => m + e)
}

function finish(
  tips: bigint[],
  targets: { min: bigint | null; avg: bigint | null; max: bigint | null },
): TipsForSummaryReturnType {
  const sorted = tips.map((t) => (t < 0n ? 0n : t)).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))
  let sum = 0n
  for (const t of sorted) sum += t
  const summary = { max: at(sorted, 0), min: last(sorted), avg: sum / BigInt(sorted.length) }
  const exact =
    (targets.min === null || targets.min === summary.min) &&
    (targets.avg === null || targets.avg === summary.avg) &&
    (targets.max === null || targets.max === summary.max)
  return { tips: sorted, exact }
}

import { confidenceLevels, horizons } from '@feecast/client'
import type { ObjectivesBody } from '../page/pageTypes.js'
import type { CalibrationState } from '../predict/calibration.js'
import { calibrationCoverage } from '../predict/calibration.js'
import type { SloSpec } from '../slo/types.js'
import type { BlockRecord } from '../types.js'
import { weiToGwei } from './shapes.js'

/**
 * What the live page (GET /) draws beside /predict, shaped from what the service already holds: the
 * recent base fees before the forecast's fan, the live reliability diagram from the calibration's own
 * scores, and the objectives as this process has seen them. Pure: the route reads, this shapes.
 */

export type RecentBaseFee = { blockNumber: number; baseFeeGwei: number }

/** The stored records' base fees in block order (records without one are left out). */
export function recentBaseFees(records: readonly BlockRecord[]): RecentBaseFee[] {
  return records.flatMap((r) =>
    r.baseFeePerGas === null
      ? []
      : [{ blockNumber: r.number, baseFeeGwei: weiToGwei(r.baseFeePerGas.toString()) }],
  )
}

export type ReliabilityPoint = {
  /** The promised probability, percent. */
  confidence: number
  withinBlocks: number
  /** Estimates scored so far (their N blocks have passed) and those that were covered. */
  scored: number
  covered: number
  /** covered / scored, percent; null before any is scored. */
  coverage: number | null
  /** The 95 % Wilson score interval of the coverage, percent; null before any is scored. */
  interval: [number, number] | null
}

/**
 * One point per (confidence, horizon) of the contract that the calibration scores, with its interval:
 * the same cells as the live coverage metrics (the calibration also keeps finer levels of its own).
 */
export function reliabilityPoints(state: CalibrationState): ReliabilityPoint[] {
  const levels = new Set<number>(confidenceLevels)
  const blocks = new Set<number>(horizons)
  return calibrationCoverage(state)
    .filter((row) => levels.has(row.confidence) && blocks.has(row.withinBlocks))
    .map((row) => ({
      confidence: row.confidence,
      withinBlocks: row.withinBlocks,
      scored: row.scored,
      covered: row.covered,
      coverage: row.coverage === null ? null : row.coverage * 100,
      interval:
        row.scored > 0
          ? (wilsonInterval(row.covered, row.scored).map((x) => x * 100) as [number, number])
          : null,
    }))
}

/**
 * The Wilson score interval of a binomial proportion (z = 1.96: 95 %). Unlike the normal approximation it
 * stays inside [0, 1] and is honest at 0 or n successes, which is where a 99 % promise lives.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.96): [number, number] {
  if (trials <= 0) return [0, 1]
  const p = successes / trials
  const z2 = z * z
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}

/**
 * The base-fee calibration inside what the predictor persists ({ version, baseFee, tips, ... }), or a
 * bare state; undefined when it does not look like one (it comes from Redis: checked, not trusted).
 */
export function baseFeeCalibration(stored: unknown): CalibrationState | undefined {
  const inner = typeof stored === 'object' && stored !== null && 'baseFee' in stored ? stored.baseFee : stored
  return isCalibrationState(inner) ? inner : undefined
}

/**
 * The priced regime's state inside a stored blob-fee calibration ({ version, priced, floor }): the regime
 * the blob-fee calibration SLO judges. Undefined when it does not look like one.
 */
export function pricedBlobCalibration(stored: unknown): CalibrationState | undefined {
  const inner =
    typeof stored === 'object' && stored !== null && 'priced' in stored ? stored.priced : undefined
  return isCalibrationState(inner) ? inner : undefined
}

/** Whether a stored value looks like a calibration state this page can read. */
export function isCalibrationState(value: unknown): value is CalibrationState {
  if (typeof value !== 'object' || value === null) return false
  const s = value as Partial<CalibrationState>
  const grid = (g: unknown) =>
    Array.isArray(g) &&
    g.length === s.horizons?.length &&
    g.every((row) => Array.isArray(row) && row.length === s.confidences?.length && row.every(Number.isFinite))
  return (
    Array.isArray(s.confidences) &&
    Array.isArray(s.horizons) &&
    grid(s.scored) &&
    grid(s.covered) &&
    grid(s.offset) &&
    Array.isArray(s.recentCoverage)
  )
}

export type SeenOutcomes = {
  /** /predict since this process started: answered, 5xx, and answered within each bound (seconds). */
  predict: { answered: number; serverErrors: number; within: ReadonlyMap<number, number> }
  /**
   * By band SLO name (prediction-calibration, blob-fee-calibration), per chain that has one: the scores of
   * that calibration at the band's level, pooled over horizons. A band with no entry shows no row.
   */
  bands: Readonly<Record<string, ReadonlyArray<BandScores>>>
}

export type BandScores = { chainId: number; scored: number; covered: number }

/** Reliability points' scores at one confidence level, pooled over horizons. */
export function scoresAtLevel(
  reliability: readonly ReliabilityPoint[],
  confidence: number,
): Omit<BandScores, 'chainId'> {
  const points = reliability.filter((p) => p.confidence === confidence)
  return {
    scored: points.reduce((n, p) => n + p.scored, 0),
    covered: points.reduce((n, p) => n + p.covered, 0),
  }
}

/** The latency objectives' thresholds, by the spec's suffix. */
const latencySeconds: Record<string, number> = { '200ms': 0.2, '50ms': 0.05 }

const percent = (x: number) => `${(Math.round(x * 100) / 100).toString()} %`

/**
 * The SLO spec's objectives (src/slo/spec.ts) beside what this process has seen since it started: the
 * same indicators Prometheus computes over 30 days, from the in-process counters.
 */
export function objectivesSeen(
  spec: SloSpec,
  seen: SeenOutcomes,
  since: Date,
  grafanaUrl?: string | undefined,
): ObjectivesBody {
  const objectives: ObjectivesBody['objectives'] = []
  const { answered, serverErrors, within } = seen.predict
  for (const slo of spec.slos) {
    if (slo.kind === 'ratio' && slo.name === 'predict-availability')
      for (const o of slo.objectives) {
        const share = answered > 0 ? ((answered - serverErrors) / answered) * 100 : null
        objectives.push(ratioObjective(slo.name, slo.title, o.target, share, answered))
      }
    if (slo.kind === 'ratio' && slo.name === 'predict-latency')
      for (const o of slo.objectives) {
        const bound = latencySeconds[o.suffix ?? '']
        if (bound === undefined) continue
        const share = answered > 0 ? ((within.get(bound) ?? 0) / answered) * 100 : null
        objectives.push(
          ratioObjective(
            `${slo.name}-${o.suffix}`,
            `${slo.title}, within ${o.suffix}`,
            o.target,
            share,
            answered,
          ),
        )
      }
    if (slo.kind === 'band')
      for (const chain of seen.bands[slo.name] ?? [])
        objectives.push({
          name: `${slo.name}-${chain.chainId}`,
          title: `${slo.title}, chain ${chain.chainId} (${slo.nominal} % level)`,
          target: `${slo.lower}–${slo.upper} %`,
          ...bandVerdict(chain, slo),
        })
  }
  const board = grafanaUrl === undefined ? undefined : sloBoardUrl(grafanaUrl, spec.service)
  return {
    since: since.toISOString(),
    objectives: board === undefined ? objectives : objectives.map((o) => ({ ...o, grafana: board })),
  }
}

/**
 * A calibration band judged on what was scored so far (since the chain's calibration started): met when
 * the coverage's 95 % Wilson interval lies inside the band, not met when it lies outside, else not judged
 * yet. A 4-point band cannot be judged on a few hundred estimates: 87.4 % of 573 is as likely a healthy
 * 90 % as a failing one, and saying "not met" there would call a healthy start failing.
 */
export function bandVerdict(
  { scored, covered }: Omit<BandScores, 'chainId'>,
  band: { lower: number; upper: number; minEvents: number },
): { seen: string; met: boolean | null } {
  if (scored === 0) return { seen: 'nothing scored yet', met: null }
  const coverage = percent((covered / scored) * 100)
  if (scored < band.minEvents)
    return { seen: `${coverage} of ${scored} (fewer than ${band.minEvents}: not judged)`, met: null }
  const [low, high] = wilsonInterval(covered, scored).map((x) => x * 100) as [number, number]
  if (low >= band.lower && high <= band.upper) return { seen: `${coverage} of ${scored}`, met: true }
  if (high < band.lower || low > band.upper) return { seen: `${coverage} of ${scored}`, met: false }
  return {
    seen: `${coverage} of ${scored} (95 % interval ${percent(low)}–${percent(high)}: not judged yet)`,
    met: null,
  }
}

/**
 * The generated SLO board (dashboards/<service>-slo.json, uid "<service>-slo") over the last 30 days, under
 * GRAFANA_URL (which may carry a path prefix: https://example.org/grafana).
 */
export function sloBoardUrl(grafanaUrl: string, service: string): string {
  const base = grafanaUrl.endsWith('/') ? grafanaUrl : `${grafanaUrl}/`
  const url = new URL(`d/${encodeURIComponent(`${service}-slo`)}`, base)
  url.searchParams.set('from', 'now-30d')
  url.searchParams.set('to', 'now')
  return url.href
}

function ratioObjective(name: string, title: string, target: number, share: number | null, events: number) {
  return {
    name,
    title,
    target: `≥ ${target} %`,
    seen: share === null ? 'no requests yet' : `${percent(share)} of ${events}`,
    met: share === null ? null : share >= target,
  }
}

import { SloSpecError } from './errors.js'
import type { BandSlo, RatioSlo, Slo, SloSpec, TimeShareSlo } from './types.js'
import {
  type AlertPolicy,
  num,
  recordedWindows,
  sortedWindows,
  standardAlertPolicy,
  type Window,
  windowsOfPolicy,
} from './windows.js'

/**
 * A rate below this (events per second: one in thirty years) counts as no traffic. Denominators are
 * clamped to it so that a window without events has an error ratio of 0, never NaN.
 */
export const zeroTraffic = 1e-9

/** One objective as Sloth sees it: the unit every recording rule and alert is generated for. */
export type SlothSlo = {
  /** `sloth_id`: `<service>-<slo>`. */
  id: string
  service: string
  /** `sloth_slo`. */
  slo: string
  parent: Slo
  /** The objective on the SLI's own scale (0.995; for a band side, its edge: 0.88 or 0.92). */
  objective: number
  /** The error ratio that the period may average before the SLO is missed (burn rate 1). */
  errorBudget: number
  /** The largest error ratio the SLI can take: conditions that would need more are dropped. */
  maxErrorRatio: number
  description: string
  /** PromQL of the error ratio over a window, one series per `groupBy` value set. */
  errorRatio: (w: Window) => string
  /** Windows whose error ratio is recorded from the raw series (or the indicator). */
  windows: Window[]
  /** The period's error ratio is the mean of the 5m ratios (Sloth), not a rate over the whole period. */
  periodFromShortWindows: boolean
  /** Burn-rate conditions this objective can meet. */
  policy: AlertPolicy
  /** Conditions of this objective also need this many events in their short window. */
  guard?: { minEvents: number; events: (w: Window) => string }
  alertName: string
  /** Fixtures: the share of events that must be bad (misses, for a band) to give error ratio `e`. */
  badShare: (e: number) => number
  /** Model: the error ratio from the bad and total events counted in a window. */
  windowError: (bad: number, total: number) => number
}

const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('')

export const alertPrefix = (spec: SloSpec): string => pascal(spec.service)

const by = (groupBy: string[]): string => (groupBy.length === 0 ? '' : ` by (${groupBy.join(', ')})`)

/** `sum by (g) (rate(selector[w]))` */
export const sumRate = (selector: string, w: string, groupBy: string[]): string =>
  `sum${by(groupBy)} (rate(${selector}[${w}]))`

/** The rate of a counter that may have no series yet (no bad event so far): 0 where `total` has traffic. */
const rateOrZero = (selector: string, total: string, w: string, groupBy: string[]): string =>
  `(${sumRate(selector, w, groupBy)} or 0 * ${sumRate(total, w, groupBy)})`

const clampTotal = (total: string, w: string, groupBy: string[]): string =>
  `clamp_min(${sumRate(total, w, groupBy)}, ${zeroTraffic})`

/** Keeps an objective's conditions that its error ratio can reach. */
const feasible = (policy: AlertPolicy, budget: number, max: number): AlertPolicy => ({
  page: policy.page.filter((c) => c.factor * budget < max),
  ticket: policy.ticket.filter((c) => c.factor * budget < max),
})

const windowsFor = (
  period: Window,
  policy: AlertPolicy,
): { windows: Window[]; periodFromShortWindows: boolean } => {
  const base = sortedWindows([...recordedWindows, ...windowsOfPolicy(policy)])
  return base.includes(period)
    ? { windows: base, periodFromShortWindows: false }
    : { windows: base, periodFromShortWindows: true }
}

/** Every Sloth SLO of a spec, in spec order. */
export function expandSpec(spec: SloSpec): SlothSlo[] {
  return spec.slos.flatMap((slo) => expandSlo(spec, slo))
}

/** What an objective's kind decides; the rest (names, windows, policy) comes from its SLO (sloth). */
type ObjectiveParts = Omit<
  SlothSlo,
  'id' | 'service' | 'slo' | 'parent' | 'alertName' | 'windows' | 'periodFromShortWindows' | 'policy'
>

/** One Sloth SLO: its id, alert name, the policy conditions its error ratio can reach and its windows. */
function sloth(spec: SloSpec, slo: Slo, name: string, parts: ObjectiveParts): SlothSlo {
  const p = feasible(slo.alerting ?? standardAlertPolicy, parts.errorBudget, parts.maxErrorRatio)
  const w = windowsFor(slo.period, p)
  // A time share is recorded directly over the period too: it is an average of samples already.
  const direct = slo.kind === 'time-share'
  return {
    id: `${spec.service}-${name}`,
    service: spec.service,
    slo: name,
    parent: slo,
    alertName: `${alertPrefix(spec)}${pascal(name)}BudgetBurn`,
    windows:
      direct && !w.windows.includes(slo.period) ? sortedWindows([...w.windows, slo.period]) : w.windows,
    periodFromShortWindows: direct ? false : w.periodFromShortWindows,
    policy: p,
    ...parts,
  }
}

/** A ratio SLO: one objective per target, its errors counted as bad events or as total minus good ones. */
function ratioObjectives(spec: SloSpec, slo: RatioSlo): SlothSlo[] {
  const g = slo.groupBy
  return slo.objectives.map((o) => {
    const name = o.suffix ? `${slo.name}-${o.suffix}` : slo.name
    const { bad, good } = o
    const errorsIn =
      bad !== undefined && good === undefined
        ? (w: Window) => rateOrZero(bad, slo.total, w, g)
        : good !== undefined && bad === undefined
          ? (w: Window) => `clamp_min(${sumRate(slo.total, w, g)} - ${rateOrZero(good, slo.total, w, g)}, 0)`
          : null
    if (errorsIn === null) throw new SloSpecError(`SLO ${name}: give exactly one of bad and good`)
    const errorRatio = (w: Window): string => `${errorsIn(w)}\n/\n${clampTotal(slo.total, w, g)}`
    return sloth(spec, slo, name, {
      objective: o.target / 100,
      errorBudget: Number(num(1 - o.target / 100)),
      maxErrorRatio: 1,
      description: o.description,
      errorRatio,
      badShare: (e) => e,
      windowError: (bad, total) => (total === 0 ? 0 : bad / total),
    })
  })
}

/** A time share: the share of samples of a 0/1 indicator that are 1. */
function timeShareObjective(spec: SloSpec, slo: TimeShareSlo): SlothSlo {
  const o = slo.objectives[0]
  return sloth(spec, slo, slo.name, {
    objective: o.target / 100,
    errorBudget: Number(num(1 - o.target / 100)),
    maxErrorRatio: 1,
    description: o.description,
    errorRatio: (w) => `avg_over_time(${slo.indicator.record}[${w}])`,
    badShare: (e) => e,
    windowError: (bad, total) => (total === 0 ? 0 : bad / total),
  })
}

/**
 * A band around a nominal coverage: two objectives, `-under` (misses in excess of the nominal ones) and
 * `-over` (coverage in excess of the nominal), each guarded by a minimum of events per window.
 */
function bandObjectives(spec: SloSpec, slo: BandSlo): SlothSlo[] {
  const g = slo.groupBy
  const nominal = slo.nominal / 100
  const missNominal = Number(num(1 - nominal))
  const coverage = (w: Window) =>
    `${rateOrZero(slo.good, slo.total, w, g)}\n/\n${clampTotal(slo.total, w, g)}`
  const missRatio = (w: Window) =>
    `clamp_min(${sumRate(slo.total, w, g)} - ${rateOrZero(slo.good, slo.total, w, g)}, 0)\n/\n${clampTotal(slo.total, w, g)}`
  const guard = {
    minEvents: slo.minEvents,
    events: (w: Window) => `sum${by(g)} (increase(${slo.total}[${w}]))`,
  }
  return [
    sloth(spec, slo, `${slo.name}-under`, {
      objective: slo.lower / 100,
      errorBudget: Number(num((slo.nominal - slo.lower) / 100)),
      maxErrorRatio: nominal,
      description: `Coverage of the ${slo.nominal}% estimates at or above ${slo.lower}%: the excess of misses over the nominal ${num(missNominal * 100)}%, against a budget of ${num(slo.nominal - slo.lower)} points.`,
      errorRatio: (w) => `clamp_min(\n(\n${missRatio(w)}\n) - ${missNominal},\n0)`,
      guard,
      badShare: (e) => missNominal + e,
      windowError: (bad, total) => (total === 0 ? 0 : Math.max(0, bad / total - missNominal)),
    }),
    sloth(spec, slo, `${slo.name}-over`, {
      objective: slo.upper / 100,
      errorBudget: Number(num((slo.upper - slo.nominal) / 100)),
      maxErrorRatio: missNominal,
      description: `Coverage of the ${slo.nominal}% estimates at or below ${slo.upper}%: the excess of coverage over the nominal ${slo.nominal}%, against a budget of ${num(slo.upper - slo.nominal)} points.`,
      errorRatio: (w) => `clamp_min(\n(\n${coverage(w)}\n) - ${num(nominal)},\n0)`,
      guard,
      badShare: (e) => missNominal - e,
      windowError: (bad, total) => (total === 0 ? 0 : Math.max(0, 1 - bad / total - nominal)),
    }),
  ]
}

/** The Sloth SLOs of one spec SLO, by its kind. */
export function expandSlo(spec: SloSpec, slo: Slo): SlothSlo[] {
  switch (slo.kind) {
    case 'ratio':
      return ratioObjectives(spec, slo)
    case 'time-share':
      return [timeShareObjective(spec, slo)]
    case 'band':
      return bandObjectives(spec, slo)
  }
}

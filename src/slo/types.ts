import type { AlertPolicy, Window } from './windows.js'

/** A promtool input series: a series selector and its values in promtool's expanding notation. */
export type InputSeries = { series: string; values: string }

/** What an on-call engineer reads when the alert fires: generated into prometheus/RUNBOOKS.md. */
export type Runbook = {
  /** What the alert means for users. */
  impact: string
  /** First things to look at, in order. */
  diagnose: string[]
  /** Ways to stop the bleeding. */
  mitigate: string[]
}

type Common = {
  /** The SLO's name as the issue and the dashboards call it, e.g. `predict-latency`. */
  name: string
  title: string
  description: string
  /** The compliance period the error budget is counted over. */
  period: Window
  /** Labels the SLI keeps (one SLI per value set), e.g. `['chain_id']`; [] for one SLI for the service. */
  groupBy: string[]
  /** Series selectors the SLI reads: an absent-metric alert fires when one of them is missing. */
  inputs: string[]
  /** Burn-rate conditions (default: the standard 30-day policy). */
  alerting?: AlertPolicy
  runbook: Runbook
}

/**
 * An event-based SLI: good or bad events counted by counters. Each objective is its own Sloth SLO
 * named `<name>-<suffix>` (or `<name>` without a suffix).
 */
export type RatioSlo = Common & {
  kind: 'ratio'
  /** Counter selector of all events. */
  total: string
  objectives: Array<{
    suffix?: string
    /** Percent of good events, e.g. 99.5. */
    target: number
    description: string
    /** Counter selector of bad events, or of good ones: exactly one of the two. */
    bad?: string
    good?: string
  }>
  /** Writes promtool input series for the given per-minute increments of all and of bad events. */
  fixture: (objective: string, events: number[], bad: number[]) => InputSeries[]
}

/**
 * A time-based SLI: the share of time an instant condition is bad, e.g. the newest block of a chain
 * being older than the chain's bound. The condition is recorded as a 0/1 series on every evaluation.
 */
export type TimeShareSlo = Common & {
  kind: 'time-share'
  indicator: { record: string; expr: string }
  objectives: [{ target: number; description: string }]
  /** Writes promtool input series for the given per-minute states (1: the data is not updated). */
  fixture: (stuck: number[]) => InputSeries[]
  /** The 0/1 indicator at each minute that the fixture's series produce (the model of the tests). */
  modelIndicator: (stuck: number[]) => number[]
}

/**
 * A two-sided band on a coverage ratio: the share of scored estimates at a nominal level that were
 * covered must stay within [lower, upper] over the period. It becomes two one-sided Sloth SLOs:
 * `<name>-under` (too few covered: estimates too low, transactions stuck) and `<name>-over` (too many
 * covered: estimates too high, users overpay). The error ratio of each side is the excess of the
 * coverage beyond nominal in its direction; the error budget is the band's half-width on that side, so a
 * burn rate of 1 over the period is exactly the edge of the band and the budget remaining at nominal
 * coverage is 100%.
 */
export type BandSlo = Common & {
  kind: 'band'
  total: string
  good: string
  /** Nominal coverage, lower and upper edge of the band, in percent. */
  nominal: number
  lower: number
  upper: number
  /** A burn-rate condition needs at least this many scored events in its short window. */
  minEvents: number
  fixture: (events: number[], bad: number[]) => InputSeries[]
}

export type Slo = RatioSlo | TimeShareSlo | BandSlo

/**
 * An alert on a condition, not on an error budget: one of feecast's defences acting (blocks refused,
 * connections shed, oversized RPC bodies, the embedded Redis restarting, API keys refused), which the
 * SLOs feel late or not at all. Its expression's result series are the firing alerts.
 */
export type ConditionAlert = {
  /** Appended to the service prefix: `BlocksRejected` is `FeecastBlocksRejected`. */
  name: string
  /** Its section in the runbooks. */
  anchor: string
  title: string
  severity: 'page' | 'ticket'
  expr: string
  for: string
  /** Labels its expression keeps (named by the summary as `{{ $labels.x }}`). */
  groupBy: string[]
  summary: string
  description: string
  runbook: Runbook
  /** promtool: series under which it fires at `at` with `labels`, and series under which it stays quiet. */
  test: { at: string; firing: InputSeries[]; labels: Record<string, string>; quiet: InputSeries[] }
}

export type SloSpec = {
  /** `sloth_service` of every rule. */
  service: string
  /** The scrape job the SLIs read. */
  job: string
  /** Where the runbook anchors live, e.g. `prometheus/RUNBOOKS.md`. */
  runbookBase: string
  slos: Slo[]
  /** Alerts on the defences' own metrics (rules, tests and runbooks generated beside the SLOs'). */
  alerts: ConditionAlert[]
}

import { SloSpecError } from './errors.js'
import { expandSlo, type SlothSlo } from './expand.js'
import { buildModel, firing, type Model, windowError } from './promtoolOracle.js'
import { scenariosFor } from './promtoolScenarios.js'
import {
  absentAnnotations,
  alertAnnotations,
  commonRuleGroups,
  conditionAlertName,
  conditionAnnotations,
  sliInputAbsentAlert,
  sloLabels,
  targetsMissingAlert,
  targetsMissingAnnotations,
} from './rules.js'
import type { InputSeries, Slo, SloSpec } from './types.js'
import { num, windowMinutes } from './windows.js'

/**
 * promtool unit tests generated from the spec, rendered as the YAML documents promtool reads. Each
 * scenario of the catalogue (promtoolScenarios.ts) is a history of the SLI; the SLO's fixture turns it
 * into raw input series, and the oracle (promtoolOracle.ts) says which alerts must be firing and which
 * values must be recorded, so promtool checks the generated PromQL against the SLO's definition.
 */

const renderTemplate = (text: string, labels: Record<string, string>): string =>
  text.replace(/\{\{ \$labels\.([a-zA-Z_]+) \}\}/g, (_, l: string) => labels[l] ?? '')

/** The label values the fixtures give the SLI's grouping labels. */
const fixtureGroupLabels = (slo: Slo): Record<string, string> =>
  Object.fromEntries(slo.groupBy.map((l) => [l, l === 'chain_id' ? '1' : 'x']))

const labelString = (labels: Record<string, string>): string =>
  `{${Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`

const round = (x: number): number => Number(num(Math.round(x * 1e6) / 1e6))
const at = (minutes: number): string => `${minutes}m`

type AlertTest = {
  eval_time: string
  alertname: string
  exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>
}
type ExprTest = { expr: string; eval_time: string; exp_samples: Array<{ labels: string; value: number }> }
type TestGroup = {
  name: string
  interval: string
  input_series: InputSeries[]
  alert_rule_test: AlertTest[]
  promql_expr_test?: ExprTest[]
}

function burnAlerts(spec: SloSpec, s: SlothSlo, model: Model, t: number, scenario: string): AlertTest {
  const groupLabels = fixtureGroupLabels(s.parent)
  const exp: AlertTest['exp_alerts'] = []
  for (const severity of ['page', 'ticket'] as const) {
    const state = firing(s, model, t, severity)
    if (state === 'close')
      throw new SloSpecError(
        `promtool scenario "${scenario}" of ${s.slo}: the ${severity} alert is too close to its threshold at ${t}m`,
      )
    if (!state) continue
    const annotations = alertAnnotations(spec, s, severity)
    exp.push({
      exp_labels: { ...sloLabels(s), ...groupLabels, severity, sloth_severity: severity },
      exp_annotations: Object.fromEntries(
        Object.entries(annotations).map(([k, v]) => [k, renderTemplate(v, groupLabels)]),
      ),
    })
  }
  return { eval_time: at(t), alertname: s.alertName, exp_alerts: exp }
}

function valueTests(s: SlothSlo, model: Model, t: number): ExprTest[] {
  const base = { ...sloLabels(s), ...fixtureGroupLabels(s.parent) }
  const metaLabels = sloLabels(s)
  const p = s.parent.period
  const sample = (expr: string, labels: Record<string, string>, value: number): ExprTest => ({
    expr: `round(${expr}, 0.000001)`,
    eval_time: at(t),
    exp_samples: [{ labels: labelString(labels), value: round(value) }],
  })
  const sel = (name: string) => `${name}{sloth_id="${s.id}"}`
  const tests: ExprTest[] = []
  const windows = s.windows.filter((w) => w !== p || !s.periodFromShortWindows)
  for (const w of windows) {
    tests.push(
      sample(sel(`slo:sli_error:ratio_rate${w}`), { ...base, sloth_window: w }, windowError(s, model, t, w)),
    )
  }
  // The period's ratio: a rate (or time share) over the period, or the mean of the 5m ratios (Sloth).
  let period: number
  if (s.periodFromShortWindows) {
    const fives: number[] = []
    for (let m = 1; m <= t; m++) fives.push(windowError(s, model, m, '5m'))
    period = fives.reduce((a, b) => a + b, 0) / fives.length
    tests.push(sample(sel(`slo:sli_error:ratio_rate${p}`), { ...base, sloth_window: p }, period))
  } else {
    period = windowError(s, model, t, p)
  }
  const current = windowError(s, model, t, '5m')
  tests.push(
    sample(sel('slo:objective:ratio'), metaLabels, s.objective),
    sample(sel('slo:error_budget:ratio'), metaLabels, s.errorBudget),
    sample(sel('slo:time_period:days'), metaLabels, windowMinutes[p] / 1440),
    sample(sel('slo:current_burn_rate:ratio'), { ...base, sloth_window: '5m' }, current / s.errorBudget),
    sample(sel('slo:period_burn_rate:ratio'), { ...base, sloth_window: p }, period / s.errorBudget),
    sample(
      sel('slo:period_error_budget_remaining:ratio'),
      { ...base, sloth_window: p },
      1 - period / s.errorBudget,
    ),
  )
  return tests
}

/** absent() gives the equality matchers of its selector as labels. */
const absentLabels = (selector: string): Record<string, string> => {
  const body = /\{(.*)\}/.exec(selector)?.[1] ?? ''
  const labels: Record<string, string> = {}
  for (const [, name, value] of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g))
    if (name !== undefined && value !== undefined) labels[name] = value // both groups always take part
  return labels
}

const metricOf = (selector: string): string => selector.replace(/\{.*$/, '')

function absentTests(spec: SloSpec, slo: Slo, objectives: SlothSlo[]): TestGroup[] {
  const expected = slo.inputs.map((input) => ({
    exp_labels: {
      ...absentLabels(input),
      severity: 'ticket',
      sloth_service: spec.service,
      sloth_slo: slo.name,
      sli_input: metricOf(input),
    },
    exp_annotations: absentAnnotations(spec, slo, input),
  }))
  const [first] = objectives
  if (first === undefined) throw new SloSpecError(`SLO ${slo.name}: no objectives`)
  const healthy = buildModel(first, [{ minutes: 30, error: 0 }])
  return [
    {
      name: `${slo.name}: no input series for 20 minutes: absent-metric tickets, no burn alert`,
      interval: '1m',
      input_series: [],
      alert_rule_test: [
        { eval_time: '10m', alertname: sliInputAbsentAlert(spec), exp_alerts: [] },
        { eval_time: '20m', alertname: sliInputAbsentAlert(spec), exp_alerts: expected },
        ...objectives.map((s) => ({ eval_time: '20m', alertname: s.alertName, exp_alerts: [] })),
      ],
    },
    {
      name: `${slo.name}: inputs present: no absent-metric ticket`,
      interval: '1m',
      input_series: healthy.series,
      alert_rule_test: [{ eval_time: '30m', alertname: sliInputAbsentAlert(spec), exp_alerts: [] }],
    },
  ]
}

/** The promtool test file of one SLO (rule file path relative to the test file). */
export function sloPromtoolTests(spec: SloSpec, slo: Slo, ruleFile: string): unknown {
  const objectives = expandSlo(spec, slo)
  const tests: TestGroup[] = []
  for (const s of objectives) {
    for (const scenario of scenariosFor(s)) {
      const { model, series } = buildModel(s, scenario.segments)
      const end = scenario.segments.reduce((a, seg) => a + seg.minutes, 0)
      const check = burnAlerts(spec, s, model, end, scenario.name)
      const got = {
        page: check.exp_alerts.some((a) => a.exp_labels.severity === 'page'),
        ticket: check.exp_alerts.some((a) => a.exp_labels.severity === 'ticket'),
      }
      if (got.page !== scenario.expect.page || got.ticket !== scenario.expect.ticket)
        throw new SloSpecError(
          `promtool scenario "${scenario.name}" of ${s.slo} does not show what it is for: the model gives ${JSON.stringify(got)}`,
        )
      const quiet = (scenario.quietAt ?? []).map((t) => burnAlerts(spec, s, model, t, scenario.name))
      tests.push({
        name: `${s.slo}: ${scenario.name}`,
        interval: '1m',
        input_series: series,
        alert_rule_test: [...quiet, check],
        ...(scenario.values ? { promql_expr_test: valueTests(s, model, end) } : {}),
      })
    }
  }
  tests.push(...absentTests(spec, slo, objectives))
  return { rule_files: [ruleFile], evaluation_interval: '1m', tests }
}

/** The promtool tests of the defences' alerts: each fires under its firing series and not under its quiet ones. */
export function conditionPromtoolTests(spec: SloSpec, ruleFile: string): unknown {
  const render = (text: string, labels: Record<string, string>) =>
    text.replace(/\{\{ \$labels\.([a-zA-Z_]+) \}\}/g, (_, l: string) => labels[l] ?? '')
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: spec.alerts.flatMap((a) => {
      const alertname = conditionAlertName(spec, a)
      const annotations = conditionAnnotations(spec, a)
      return [
        {
          name: `${alertname}: fires`,
          interval: '1m',
          input_series: a.test.firing,
          alert_rule_test: [
            {
              eval_time: a.test.at,
              alertname,
              exp_alerts: [
                {
                  exp_labels: { ...a.test.labels, severity: a.severity, sloth_service: spec.service },
                  exp_annotations: Object.fromEntries(
                    Object.entries(annotations).map(([k, v]) => [k, render(v, a.test.labels)]),
                  ),
                },
              ],
            },
          ],
        },
        {
          name: `${alertname}: stays quiet`,
          interval: '1m',
          input_series: a.test.quiet,
          alert_rule_test: [{ eval_time: a.test.at, alertname, exp_alerts: [] }],
        },
      ]
    }),
  }
}

/** The promtool tests of the rules that belong to no SLO. */
export function commonPromtoolTests(spec: SloSpec, ruleFile: string): unknown {
  const up = (values: string): InputSeries => ({
    series: `up{job="${spec.job}",instance="api:8080"}`,
    values,
  })
  const alertname = targetsMissingAlert(spec)
  const rule = commonRuleGroups(spec)[0]
  if (!rule) throw new SloSpecError('no common rules')
  const page = {
    exp_labels: { severity: 'page', sloth_service: spec.service },
    exp_annotations: targetsMissingAnnotations(spec),
  }
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      {
        name: 'a target up: no page',
        interval: '1m',
        input_series: [up('1+0x30')],
        alert_rule_test: [{ eval_time: '30m', alertname, exp_alerts: [] }],
      },
      {
        name: `the only target down for 10 minutes: page after ${rule.rules[0] && 'for' in rule.rules[0] ? rule.rules[0].for : ''}`,
        interval: '1m',
        input_series: [up('1+0x10 0+0x10')],
        alert_rule_test: [
          { eval_time: '12m', alertname, exp_alerts: [] },
          { eval_time: '20m', alertname, exp_alerts: [page] },
        ],
      },
      {
        name: 'no target at all (service discovery finds nothing): page',
        interval: '1m',
        input_series: [],
        alert_rule_test: [{ eval_time: '10m', alertname, exp_alerts: [page] }],
      },
    ],
  }
}

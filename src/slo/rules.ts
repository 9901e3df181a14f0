import { stringify } from 'yaml'
import { alertPrefix, expandSlo, type SlothSlo } from './expand.js'
import type { ConditionAlert, Slo, SloSpec } from './types.js'
import { type BurnCondition, num, type Window, windowMinutes } from './windows.js'

export type RecordingRule = { record: string; expr: string; labels?: Record<string, string> }
export type AlertingRule = {
  alert: string
  expr: string
  for?: string
  labels: Record<string, string>
  annotations: Record<string, string>
}
export type Rule = RecordingRule | AlertingRule
export type RuleGroup = { name: string; rules: Rule[] }

/** How long an SLI input may be missing before its absent-metric ticket. */
export const absentFor = '15m'
/** How long no scrape target may be up before the page. */
export const targetsMissingFor = '5m'

export const sliInputAbsentAlert = (spec: SloSpec): string => `${alertPrefix(spec)}SliInputAbsent`
export const targetsMissingAlert = (spec: SloSpec): string => `${alertPrefix(spec)}TargetsMissing`

/** The labels Sloth puts on every series of an SLO. */
export const sloLabels = (s: SlothSlo): Record<string, string> => ({
  sloth_id: s.id,
  sloth_service: s.service,
  sloth_slo: s.slo,
})

const matcher = (s: SlothSlo): string =>
  `{sloth_id="${s.id}", sloth_service="${s.service}", sloth_slo="${s.slo}"}`

const sloMatchOn = 'on (sloth_id, sloth_slo, sloth_service)'

/** The recording rules of the error ratio over each window (Sloth: `sloth-slo-sli-recordings-<id>`). */
function sliGroup(s: SlothSlo, indicator: RecordingRule | undefined): RuleGroup {
  const rules: Rule[] = indicator ? [indicator] : []
  for (const w of s.windows) {
    rules.push({
      record: `slo:sli_error:ratio_rate${w}`,
      expr: `${s.errorRatio(w)}\n`,
      labels: { ...sloLabels(s), sloth_window: w },
    })
  }
  if (s.periodFromShortWindows) {
    const p = s.parent.period
    rules.push({
      record: `slo:sli_error:ratio_rate${p}`,
      expr: `sum_over_time(slo:sli_error:ratio_rate5m${matcher(s)}[${p}])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m${matcher(s)}[${p}])\n`,
      labels: { ...sloLabels(s), sloth_window: p },
    })
  }
  return { name: `sloth-slo-sli-recordings-${s.id}`, rules }
}

/** Objective, budget, burn rates and budget remaining (Sloth: `sloth-slo-meta-recordings-<id>`). */
function metaGroup(s: SlothSlo): RuleGroup {
  const labels = sloLabels(s)
  const p = s.parent.period
  return {
    name: `sloth-slo-meta-recordings-${s.id}`,
    rules: [
      { record: 'slo:objective:ratio', expr: `vector(${num(s.objective)})`, labels },
      { record: 'slo:error_budget:ratio', expr: `vector(${num(s.errorBudget)})`, labels },
      { record: 'slo:time_period:days', expr: `vector(${num(windowMinutes[p] / 1440)})`, labels },
      {
        record: 'slo:current_burn_rate:ratio',
        expr: `slo:sli_error:ratio_rate5m${matcher(s)}\n/ ${sloMatchOn} group_left\nslo:error_budget:ratio${matcher(s)}\n`,
        labels,
      },
      {
        record: 'slo:period_burn_rate:ratio',
        expr: `slo:sli_error:ratio_rate${p}${matcher(s)}\n/ ${sloMatchOn} group_left\nslo:error_budget:ratio${matcher(s)}\n`,
        labels,
      },
      {
        record: 'slo:period_error_budget_remaining:ratio',
        expr: `1 - slo:period_burn_rate:ratio${matcher(s)}`,
        labels: { ...labels, sloth_window: p },
      },
      {
        record: 'sloth_slo_info',
        expr: 'vector(1)',
        labels: {
          ...labels,
          sloth_mode: 'feecast-slo-gen',
          sloth_objective: num(s.objective * 100),
          sloth_spec: 'feecast/v1',
        },
      },
    ],
  }
}

/** One burn-rate condition: both windows above `factor` times the budget (and enough events, if guarded). */
function condition(s: SlothSlo, c: BurnCondition): string {
  const threshold = `(${num(c.factor)} * ${num(s.errorBudget)})`
  const window = (w: Window) =>
    `max(slo:sli_error:ratio_rate${w}${matcher(s)} > ${threshold}) without (sloth_window)`
  const parts = [window(c.short), window(c.long)]
  if (s.guard) {
    const on = `on (${s.parent.groupBy.join(', ')})`
    parts.push(`${on} (${s.guard.events(c.short)} >= ${s.guard.minEvents})`)
  }
  return `(\n    ${parts.join('\n    and\n    ')}\n)`
}

const describe = (conditions: BurnCondition[]): string =>
  conditions.map((c) => `${num(c.factor)}x over both ${c.long} and ${c.short}`).join(', or ')

/** Alert text as rendered for the fixture alerts of the promtool tests (only `$labels.x` is templated). */
export function alertAnnotations(
  spec: SloSpec,
  s: SlothSlo,
  severity: 'page' | 'ticket',
): Record<string, string> {
  const where = s.parent.groupBy.map((l) => ` ${l.replace(/_id$/, '')} {{ $labels.${l} }}`).join(',')
  const conditions = severity === 'page' ? s.policy.page : s.policy.ticket
  const pace = severity === 'page' ? 'fast' : 'steadily'
  return {
    summary: `${s.slo}${where ? `,${where}` : ''}: error budget burning ${pace} (${severity})`,
    description: `${s.description} The error ratio exceeds its budget (${num(s.errorBudget)} over ${s.parent.period}) ${describe(conditions)}.`,
    runbook_url: `${spec.runbookBase}#${s.parent.name}`,
  }
}

/** Multi-window multi-burn-rate alerts (Sloth: `sloth-slo-alerts-<id>`): one page and one ticket rule. */
function alertGroup(spec: SloSpec, s: SlothSlo): RuleGroup {
  const rules: AlertingRule[] = []
  for (const severity of ['page', 'ticket'] as const) {
    const conditions = severity === 'page' ? s.policy.page : s.policy.ticket
    if (conditions.length === 0) continue
    rules.push({
      alert: s.alertName,
      expr: `${conditions.map((c) => condition(s, c)).join('\nor\n')}\n`,
      labels: { severity, sloth_severity: severity },
      annotations: alertAnnotations(spec, s, severity),
    })
  }
  return { name: `sloth-slo-alerts-${s.id}`, rules }
}

const metricOf = (selector: string): string => selector.replace(/\{.*$/, '')

/** An absent-metric ticket per SLI input: a missing series would make the SLI read as perfect. */
function absentGroup(spec: SloSpec, slo: Slo): RuleGroup {
  return {
    name: `${spec.service}-slo-absent-${slo.name}`,
    rules: slo.inputs.map(
      (input): AlertingRule => ({
        alert: sliInputAbsentAlert(spec),
        expr: `absent(${input})`,
        for: absentFor,
        labels: {
          severity: 'ticket',
          sloth_service: spec.service,
          sloth_slo: slo.name,
          sli_input: metricOf(input),
        },
        annotations: absentAnnotations(spec, slo, input),
      }),
    ),
  }
}

export const absentAnnotations = (spec: SloSpec, slo: Slo, input: string): Record<string, string> => ({
  summary: `${slo.name}: no series ${metricOf(input)} for ${absentFor}: the SLI cannot be computed`,
  description: `absent(${input}) has been true for ${absentFor}. Without it the ${slo.name} SLI reads as perfect and its burn-rate alerts cannot fire.`,
  runbook_url: `${spec.runbookBase}#sli-input-absent`,
})

export const targetsMissingAnnotations = (spec: SloSpec): Record<string, string> => ({
  summary: `No ${spec.job} scrape target has been up for ${targetsMissingFor}: every SLI is blind`,
  description: `absent(up{job="${spec.job}"} == 1): Prometheus scrapes no live ${spec.job} target, so no SLI is computed and no burn-rate alert can fire.`,
  runbook_url: `${spec.runbookBase}#targets-missing`,
})

/** The name an alert of the spec's `alerts` fires as. */
export const conditionAlertName = (spec: SloSpec, alert: ConditionAlert): string =>
  `${alertPrefix(spec)}${alert.name}`

export const conditionAnnotations = (spec: SloSpec, alert: ConditionAlert): Record<string, string> => ({
  summary: alert.summary,
  description: alert.description,
  runbook_url: `${spec.runbookBase}#${alert.anchor}`,
})

/** The alerts on the defences' metrics, one group. */
export function conditionRuleGroups(spec: SloSpec): RuleGroup[] {
  return [
    {
      name: `${spec.service}-defences`,
      rules: spec.alerts.map(
        (a): AlertingRule => ({
          alert: conditionAlertName(spec, a),
          expr: a.expr,
          for: a.for,
          labels: { severity: a.severity, sloth_service: spec.service },
          annotations: conditionAnnotations(spec, a),
        }),
      ),
    },
  ]
}

/** Rules that do not belong to one SLO. */
export function commonRuleGroups(spec: SloSpec): RuleGroup[] {
  return [
    {
      name: `${spec.service}-slo-targets`,
      rules: [
        {
          alert: targetsMissingAlert(spec),
          expr: `absent(up{job="${spec.job}"} == 1)`,
          for: targetsMissingFor,
          labels: { severity: 'page', sloth_service: spec.service },
          annotations: targetsMissingAnnotations(spec),
        },
      ],
    },
  ]
}

/** Every rule group of one SLO: per objective SLI, meta and alert groups, then its absent alerts. */
export function sloRuleGroups(spec: SloSpec, slo: Slo): RuleGroup[] {
  const objectives = expandSlo(spec, slo)
  const groups: RuleGroup[] = []
  objectives.forEach((s, i) => {
    const indicator =
      slo.kind === 'time-share' && i === 0
        ? { record: slo.indicator.record, expr: `${slo.indicator.expr}\n` }
        : undefined
    // One group per objective, in dependency order: rules of a group run in sequence, so the meta rules
    // and alerts read the error ratios of the same evaluation (separate groups would lag by up to one
    // interval, and promtool would evaluate them in name order).
    const parts = [sliGroup(s, indicator), metaGroup(s), alertGroup(spec, s)]
    groups.push({ name: `sloth-slo-${s.id}`, rules: parts.flatMap((g) => g.rules) })
  })
  groups.push(absentGroup(spec, slo))
  return groups
}

const header = (what: string) =>
  `# ${what}\n# Generated by \`npm run generate\` from src/slo/ (the SLO spec): do not edit by hand.\n`

export function yamlDocument(what: string, value: unknown): string {
  return (
    header(what) + stringify(value, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false })
  )
}

export function rulesFile(what: string, groups: RuleGroup[]): string {
  return yamlDocument(what, { groups })
}

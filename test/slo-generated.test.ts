import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { metricNames as m } from '../src/metrics/metricNames.js'
import { dashboardQueries, generateDashboards } from '../src/slo/dashboards.js'
import { expandSpec } from '../src/slo/expand.js'
import { generateFiles } from '../src/slo/generate.js'
import type { AlertingRule, RuleGroup } from '../src/slo/rules.js'
import { feecastSloSpec as spec } from '../src/slo/spec.js'
import { generatedDrift, repoRoot } from '../src/slo/writeGenerated.js'
import { requireTool } from './slo-support.js'

/** The committed output of `npm run generate` and the properties the generator promises. */

const files = generateFiles(spec)
const file = (path: string) => {
  const f = files.find((x) => x.path === path)
  if (!f) throw new Error(`not generated: ${path}`)
  return f.content
}
const ruleGroups = (): RuleGroup[] =>
  files
    .filter((f) => f.path.startsWith('prometheus/rules/'))
    .flatMap((f) => (parse(f.content) as { groups: RuleGroup[] }).groups)
const alerts = () => ruleGroups().flatMap((g) => g.rules.filter((r): r is AlertingRule => 'alert' in r))

describe('generated SLO files', () => {
  it('are up to date: the committed files are what `npm run generate` makes now', async () => {
    const drift = await generatedDrift()
    expect(drift, 'run `npm run generate` and commit the result').toEqual({
      changed: [],
      missing: [],
      stale: [],
    })
  })

  it('are deterministic', () => {
    expect(generateFiles(spec)).toEqual(files)
  })

  it('record every Sloth series for every objective, with the Sloth labels', () => {
    const records = ruleGroups().flatMap((g) => g.rules.filter((r) => 'record' in r))
    for (const s of expandSpec(spec)) {
      const mine = records
        .filter((r) => 'record' in r && r.labels?.sloth_id === s.id)
        .map((r) => ('record' in r ? r.record : ''))
      for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d', s.parent.period])
        expect(mine, `${s.id} ${w}`).toContain(`slo:sli_error:ratio_rate${w}`)
      for (const name of [
        'slo:objective:ratio',
        'slo:error_budget:ratio',
        'slo:time_period:days',
        'slo:current_burn_rate:ratio',
        'slo:period_burn_rate:ratio',
        'slo:period_error_budget_remaining:ratio',
        'sloth_slo_info',
      ])
        expect(mine, s.id).toContain(name)
      for (const r of records.filter((x) => 'record' in x && x.labels?.sloth_id === s.id))
        expect(r.labels, `${s.id}`).toMatchObject({ sloth_service: 'feecast', sloth_slo: s.slo })
    }
  })

  it('give the issue its SLOs: availability, two latency objectives, freshness per chain, a calibration band', () => {
    const objectives = Object.fromEntries(expandSpec(spec).map((s) => [s.slo, s]))
    expect(objectives['predict-availability']?.objective).toBe(0.995)
    expect(objectives['predict-latency-200ms']?.objective).toBe(0.99)
    expect(objectives['predict-latency-50ms']?.objective).toBe(0.95)
    expect(objectives['sampler-freshness']?.objective).toBe(0.995)
    expect(objectives['sampler-freshness']?.parent.groupBy).toEqual(['chain_id'])
    expect(objectives['prediction-calibration-under']?.objective).toBe(0.88)
    expect(objectives['prediction-calibration-over']?.objective).toBe(0.92)
    expect(objectives['prediction-calibration-under']?.parent.period).toBe('1d')
    expect(objectives['predict-availability']?.parent.period).toBe('30d')
  })

  it('page at 14.4x (1h, 5m) and 6x (6h, 30m), ticket at 3x (1d, 2h) and 1x (3d, 6h) for 30-day SLOs', () => {
    const s = expandSpec(spec).find((x) => x.slo === 'predict-availability')!
    expect(s.policy.page).toEqual([
      { factor: 14.4, long: '1h', short: '5m' },
      { factor: 6, long: '6h', short: '30m' },
    ])
    expect(s.policy.ticket).toEqual([
      { factor: 3, long: '1d', short: '2h' },
      { factor: 1, long: '3d', short: '6h' },
    ])
    const rule = alerts().find((a) => a.alert === s.alertName && a.labels.severity === 'page')!
    expect(rule.expr).toContain('slo:sli_error:ratio_rate1h')
    expect(rule.expr).toContain('slo:sli_error:ratio_rate5m')
    expect(rule.expr).toContain('(14.4 * 0.005)')
    expect(rule.expr).toContain('(6 * 0.005)')
  })

  it('over-coverage can only make tickets: no page rule exists for it', () => {
    const over = alerts().filter((a) => a.alert === 'FeecastPredictionCalibrationOverBudgetBurn')
    expect(over.map((a) => a.labels.severity)).toEqual(['ticket'])
  })

  it('give every alert a severity, a summary and a runbook section that exists', () => {
    const runbooks = file('prometheus/RUNBOOKS.md')
    const anchors = new Set([...runbooks.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim()))
    const list = alerts()
    expect(list.length).toBeGreaterThan(10)
    for (const a of list) {
      expect(['page', 'ticket'], a.alert).toContain(a.labels.severity)
      expect(a.annotations.summary, a.alert).toBeTruthy()
      const url = a.annotations.runbook_url ?? ''
      expect(url.startsWith(`${spec.runbookBase}#`), `${a.alert}: ${url}`).toBe(true)
      expect(anchors, `${a.alert}: ${url}`).toContain(url.split('#')[1])
    }
  })

  it("alert on every defence's metric (issue #11), each with a firing and a quiet promtool test", () => {
    const list = alerts()
    for (const metric of [
      m.blocksRejected,
      m.baseFeeRuleMatching,
      m.connectionsShed,
      m.rpcOversized,
      m.embeddedRedisUp,
      m.embeddedRedisRestarts,
      m.apiKeyRejections,
    ])
      expect(
        list.some((a) => a.expr.includes(metric)),
        metric,
      ).toBe(true)
    const tests = parse(file('prometheus/tests/feecast-defences.test.yml')) as {
      tests: Array<{ name: string }>
    }
    for (const a of spec.alerts)
      for (const kind of ['fires', 'stays quiet'])
        expect(tests.tests.map((t) => t.name)).toContain(`Feecast${a.name}: ${kind}`)
  })

  it('have an absent-metric alert for every SLI input', () => {
    const absent = alerts().filter((a) => a.expr.startsWith('absent('))
    for (const slo of spec.slos)
      for (const input of slo.inputs) expect(absent.map((a) => a.expr)).toContain(`absent(${input})`)
  })

  it('clamp every ratio denominator, so that zero traffic gives 0, not NaN', () => {
    for (const g of ruleGroups())
      for (const r of g.rules)
        if ('record' in r && r.record.startsWith('slo:sli_error:') && r.expr.includes('rate('))
          expect(r.expr, r.record).toMatch(
            /clamp_min\(sum[^\n]*\(rate\([^\n]*, 1e-9\)\s*\)?\s*(- 0\.\d+,\s*0\))?\s*$/,
          )
  })

  it('build dashboards whose panels all read the datasource variable (no data source uid written down)', () => {
    const dashboards = generateDashboards(spec)
    expect(dashboards.map((d) => d.uid)).toEqual([
      'feecast-slo',
      'feecast-api',
      'feecast-sampler',
      'feecast-model',
    ])
    for (const d of dashboards) {
      const json = JSON.stringify(d.json)
      const variable = (
        d.json as { templating: { list: Array<{ type: string; name: string; query: string }> } }
      ).templating.list
      expect(variable).toContainEqual(
        expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' }),
      )
      const uids = [...json.matchAll(/"uid":"([^"]*)"/g)].map((m) => m[1]).filter((u) => u !== d.uid)
      expect(uids.length, d.uid).toBeGreaterThan(0)
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax
      expect(new Set(uids), d.uid).toEqual(new Set(['${datasource}']))
      const ids = (d.json as { panels: Array<{ id: number }> }).panels.map((p) => p.id)
      expect(new Set(ids).size, `${d.uid}: unique panel ids`).toBe(ids.length)
    }
  })

  it('export every panel query, each naming its dashboard and panel', async () => {
    const queries = dashboardQueries(spec)
    const inJson = generateDashboards(spec).flatMap((d) => [...JSON.stringify(d.json).matchAll(/"expr":"/g)])
    expect(queries.length).toBe(inJson.length)
    const overview = queries
      .filter((q) => q.dashboard === 'feecast-slo')
      .map((q) => q.expr)
      .join('\n')
    for (const name of [
      'slo:objective:ratio',
      'slo:period_error_budget_remaining:ratio',
      'slo:current_burn_rate:ratio',
      'ALERTS{',
    ])
      expect(overview).toContain(name)
    const onDisk = JSON.parse(await readFile(join(repoRoot, 'dashboards/feecast-model.json'), 'utf8')) as {
      uid: string
    }
    expect(onDisk.uid).toBe('feecast-model')
  })

  it('route pages to the pager and inhibit tickets by pages of the same SLO and chain', () => {
    const am = parse(file('prometheus/alertmanager.yml')) as {
      route: { routes: Array<{ receiver: string; matchers: string[] }> }
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>
    }
    expect(am.route.routes[0]).toMatchObject({ receiver: 'pager', matchers: ['severity="page"'] })
    expect(am.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="page"'],
        target_matchers: ['severity="ticket"'],
        equal: ['sloth_id', 'chain_id'],
      },
    ])
  })

  it('name the Debian package when a tool the SLO tests run is missing', async () => {
    const path = process.env.PATH
    process.env.PATH = '/nonexistent'
    try {
      await expect(requireTool('promtool')).rejects.toThrow(/Debian package "prometheus"/)
      await expect(requireTool('amtool')).rejects.toThrow(/Debian package "prometheus-alertmanager"/)
      await expect(requireTool('docker-compose')).rejects.toThrow(/Debian package "docker-compose"/)
    } finally {
      process.env.PATH = path
    }
  })
})

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { dashboardQueries, resolveGrafanaVariables } from '../src/slo/dashboards.js'
import { expandSpec } from '../src/slo/expand.js'
import { alertAnnotations } from '../src/slo/rules.js'
import { feecastSloSpec as spec } from '../src/slo/spec.js'
import { repoRoot } from '../src/slo/writeGenerated.js'
import { requireTool, run, tempDir } from './slo-support.js'

/**
 * The committed rules and configuration against the real promtool (Debian package "prometheus"):
 * syntax, the generated unit tests (every alert with histories that must and must not fire it, zero
 * traffic and short history, the recorded values), hand-computed values, and a broken variant of the
 * rules to show the zero-traffic tests catch a NaN.
 */

const prometheusDir = join(repoRoot, 'prometheus')
let promtool: string
let scratch: { dir: string; remove: () => Promise<void> }

beforeAll(async () => {
  promtool = await requireTool('promtool')
  scratch = await tempDir('promtool')
})
afterAll(async () => {
  await scratch?.remove()
})

const listYaml = async (dir: string) =>
  (await readdir(join(prometheusDir, dir))).filter((f) => f.endsWith('.yml')).sort()

describe('promtool', () => {
  it('check rules: every committed rule file is valid', async () => {
    const files = await listYaml('rules')
    expect(files.length).toBeGreaterThanOrEqual(5)
    const result = await run(promtool, ['check', 'rules', ...files.map((f) => join('rules', f))], {
      cwd: prometheusDir,
    })
    expect(result.code, result.stdout + result.stderr).toBe(0)
  })

  it('check config: prometheus.yml is valid and finds the rule files', async () => {
    const result = await run(promtool, ['check', 'config', 'prometheus.yml'], { cwd: prometheusDir })
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toMatch(/SUCCESS: \d+ rule files found/)
  })

  it('test rules: the generated unit tests of every SLO pass', { timeout: 180_000 }, async () => {
    const files = await listYaml('tests')
    expect(files).toEqual(
      [
        ...spec.slos.map((s) => `${s.name}.test.yml`),
        'feecast-common.test.yml',
        'feecast-defences.test.yml',
      ].sort(),
    )
    // Two at a time: two cores.
    const results: Array<{ file: string; code: number; output: string }> = []
    const queue = [...files]
    await Promise.all(
      [0, 1].map(async () => {
        for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
          const r = await run(promtool, ['test', 'rules', join('tests', f)], {
            cwd: prometheusDir,
            timeoutMs: 170_000,
          })
          results.push({ file: f, code: r.code, output: r.stdout + r.stderr })
        }
      }),
    )
    for (const r of results) expect(r.code, `${r.file}:\n${r.output}`).toBe(0)
  })

  it('test rules: values computed by hand', async () => {
    // 1000 requests a minute to /predict, 10 of them 503: 1% errors, twice the 0.5% budget.
    // Chain 1: its newest block stops at minute 10; its bound is 60 s, so from minute 12 on it is stale.
    // Calibration, chain 1: 60 scored a minute at 90%, 51.6 covered (86%): 4 points of misses beyond 10%.
    const api = 'job="feecast",http_route="/predict",http_request_method="GET"'
    const availability = expandSpec(spec).find((s) => s.slo === 'predict-availability')!
    const tests = {
      rule_files: spec.slos.map((s) => join(prometheusDir, 'rules', `${s.name}.yml`)),
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            {
              series: `http_server_request_duration_seconds_count{${api},http_response_status_code="200"}`,
              values: '0+990x30',
            },
            {
              series: `http_server_request_duration_seconds_count{${api},http_response_status_code="503"}`,
              values: '0+10x30',
            },
            {
              series: 'feecast_latest_block_timestamp_seconds{job="feecast",chain_id="1"}',
              values: '0+60x10 600+0x10',
            },
            {
              series: 'feecast_chain_freshness_bound_seconds{job="feecast",chain_id="1"}',
              values: '60+0x20',
            },
            {
              series:
                'feecast_calibration_scored_total{job="feecast",chain_id="1",confidence="90",within_blocks="1"}',
              values: '0+60x30',
            },
            {
              series:
                'feecast_calibration_covered_total{job="feecast",chain_id="1",confidence="90",within_blocks="1"}',
              values: '0+51.6x30',
            },
          ],
          promql_expr_test: [
            {
              expr: 'round(slo:sli_error:ratio_rate5m{sloth_id="feecast-predict-availability"}, 0.000001)',
              eval_time: '30m',
              exp_samples: [
                {
                  labels:
                    '{sloth_id="feecast-predict-availability", sloth_service="feecast", sloth_slo="predict-availability", sloth_window="5m"}',
                  value: 0.01,
                },
              ],
            },
            {
              expr: 'round(slo:current_burn_rate:ratio{sloth_id="feecast-predict-availability"}, 0.000001)',
              eval_time: '30m',
              exp_samples: [
                {
                  labels:
                    '{sloth_id="feecast-predict-availability", sloth_service="feecast", sloth_slo="predict-availability", sloth_window="5m"}',
                  value: 2,
                },
              ],
            },
            {
              expr: 'round(slo:period_error_budget_remaining:ratio{sloth_id="feecast-predict-availability"}, 0.000001)',
              eval_time: '30m',
              exp_samples: [
                {
                  labels:
                    '{sloth_id="feecast-predict-availability", sloth_service="feecast", sloth_slo="predict-availability", sloth_window="30d"}',
                  value: -1,
                },
              ],
            },
            {
              expr: 'slo:sli_error:ratio_rate5m{sloth_id="feecast-sampler-freshness"}',
              eval_time: '20m',
              exp_samples: [
                {
                  labels:
                    'slo:sli_error:ratio_rate5m{chain_id="1", sloth_id="feecast-sampler-freshness", sloth_service="feecast", sloth_slo="sampler-freshness", sloth_window="5m"}',
                  value: 1,
                },
              ],
            },
            {
              expr: 'round(slo:sli_error:ratio_rate30m{sloth_id="feecast-sampler-freshness"}, 0.000001)',
              eval_time: '20m',
              exp_samples: [
                {
                  labels:
                    '{chain_id="1", sloth_id="feecast-sampler-freshness", sloth_service="feecast", sloth_slo="sampler-freshness", sloth_window="30m"}',
                  value: 0.428571,
                },
              ],
            },
            {
              expr: 'round(slo:sli_error:ratio_rate1h{sloth_id="feecast-prediction-calibration-under"}, 0.000001)',
              eval_time: '30m',
              exp_samples: [
                {
                  labels:
                    '{chain_id="1", sloth_id="feecast-prediction-calibration-under", sloth_service="feecast", sloth_slo="prediction-calibration-under", sloth_window="1h"}',
                  value: 0.04,
                },
              ],
            },
            {
              expr: 'round(slo:period_error_budget_remaining:ratio{sloth_id="feecast-prediction-calibration-under"}, 0.000001)',
              eval_time: '30m',
              exp_samples: [
                {
                  labels:
                    '{chain_id="1", sloth_id="feecast-prediction-calibration-under", sloth_service="feecast", sloth_slo="prediction-calibration-under", sloth_window="1d"}',
                  value: -1,
                },
              ],
            },
            {
              expr: 'slo:sli_error:ratio_rate1h{sloth_id="feecast-prediction-calibration-over"}',
              eval_time: '30m',
              exp_samples: [
                {
                  labels:
                    'slo:sli_error:ratio_rate1h{chain_id="1", sloth_id="feecast-prediction-calibration-over", sloth_service="feecast", sloth_slo="prediction-calibration-over", sloth_window="1h"}',
                  value: 0,
                },
              ],
            },
          ],
          alert_rule_test: [
            {
              eval_time: '30m',
              alertname: 'FeecastPredictAvailabilityBudgetBurn',
              exp_alerts: [
                {
                  exp_labels: {
                    severity: 'ticket',
                    sloth_severity: 'ticket',
                    sloth_id: 'feecast-predict-availability',
                    sloth_service: 'feecast',
                    sloth_slo: 'predict-availability',
                  },
                  exp_annotations: alertAnnotations(spec, availability, 'ticket'),
                },
              ],
            },
          ],
        },
      ],
    }
    const path = join(scratch.dir, 'hand.test.yml')
    await writeFile(path, stringify(tests))
    const result = await run(promtool, ['test', 'rules', path])
    expect(result.code, result.stdout + result.stderr).toBe(0)
  })

  it('test rules: a rule set without clamped denominators fails the zero-traffic tests (NaN)', async () => {
    const rules = await readFile(join(prometheusDir, 'rules/predict-availability.yml'), 'utf8')
    const broken = rules.replace(/clamp_min\((sum \(rate\([^\n]*?\[\w+\]\)\)), 1e-9\)/g, '$1')
    expect(broken).not.toBe(rules)
    await mkdir(join(scratch.dir, 'broken/rules'), { recursive: true })
    await mkdir(join(scratch.dir, 'broken/tests'), { recursive: true })
    await writeFile(join(scratch.dir, 'broken/rules/predict-availability.yml'), broken)
    const tests = await readFile(join(prometheusDir, 'tests/predict-availability.test.yml'), 'utf8')
    await writeFile(join(scratch.dir, 'broken/tests/predict-availability.test.yml'), tests)
    const result = await run(promtool, ['test', 'rules', 'tests/predict-availability.test.yml'], {
      cwd: join(scratch.dir, 'broken'),
    })
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toMatch(/NaN/)
  })

  it('check rules: every dashboard panel query is valid PromQL', async () => {
    const queries = dashboardQueries(spec)
    const rules = {
      groups: [
        {
          name: 'dashboard-queries',
          rules: queries.map((q, i) => ({
            record: `dashboard:query_${i}`,
            expr: resolveGrafanaVariables(q.expr, { rateInterval: '1m' }),
          })),
        },
      ],
    }
    const path = join(scratch.dir, 'dashboard-queries.yml')
    await writeFile(path, stringify(rules))
    const result = await run(promtool, ['check', 'rules', path])
    expect(result.code, result.stdout + result.stderr).toBe(0)
  })
})

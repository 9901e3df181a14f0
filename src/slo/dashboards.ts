import { confidenceLevels, defaultHorizons } from '@feecast/client'
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common'
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard'
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus'
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries'
import { at } from '../lib/at.js'
import { feeKinds, metricNames as m, predictedFeeMetric } from '../metrics/metricNames.js'
import { expandSpec, type SlothSlo, sumRate } from './expand.js'
import type { SloSpec } from './types.js'
import { num, type Window } from './windows.js'

/**
 * The Grafana dashboards, built with @grafana/grafana-foundation-sdk. Every panel reads the data source
 * chosen in the `datasource` variable (no data source uid is written down), and every query is also
 * listed by `dashboardQueries` so the end-to-end test can run each one against a real Prometheus.
 */

/** A panel query as the dashboard holds it (Grafana variables such as `$__rate_interval` included). */
export type PanelQuery = { dashboard: string; panel: string; refId: string; expr: string; instant: boolean }

export type GeneratedDashboard = { uid: string; title: string; json: unknown; queries: PanelQuery[] }

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template string
const datasource = { type: 'prometheus', uid: '${datasource}' }
const rate = '$__rate_interval'

type Target = { expr: string; legend?: string; instant?: boolean; table?: boolean }

/** Collects the queries of the panels it makes. */
class Panels {
  readonly queries: PanelQuery[] = []
  private lastId = 0
  constructor(private readonly dashboard: string) {}

  /** Panel ids, unique within the dashboard (rows too). */
  nextId(): number {
    this.lastId += 1
    return this.lastId
  }

  row(title: string) {
    return new RowBuilder(title).id(this.nextId())
  }

  private targets(panel: string, targets: Target[]): DataqueryBuilder[] {
    return targets.map((t, i) => {
      const refId = String.fromCharCode(65 + i)
      this.queries.push({
        dashboard: this.dashboard,
        panel,
        refId,
        expr: t.expr,
        instant: t.instant ?? false,
      })
      let q = new DataqueryBuilder().datasource(datasource).expr(t.expr).refId(refId)
      if (t.legend !== undefined) q = q.legendFormat(t.legend)
      if (t.instant) q = q.instant()
      else q = q.range()
      if (t.table) q = q.format(PromQueryFormat.Table)
      return q
    })
  }

  timeseries(
    title: string,
    targets: Target[],
    o: { unit?: string; description?: string; w?: number; h?: number; min?: number; max?: number } = {},
  ) {
    let p = new TimeseriesPanelBuilder()
      .id(this.nextId())
      .title(title)
      .datasource(datasource)
      .targets(this.targets(title, targets))
      .unit(o.unit ?? 'short')
      .span(o.w ?? 12)
      .height(o.h ?? 8)
      .fillOpacity(10)
    if (o.description) p = p.description(o.description)
    if (o.min !== undefined) p = p.min(o.min)
    if (o.max !== undefined) p = p.max(o.max)
    return p
  }

  stat(
    title: string,
    target: Target,
    o: {
      unit?: string
      description?: string
      w?: number
      thresholds?: Array<{ value: number | null; color: string }>
    } = {},
  ) {
    let p = new StatPanelBuilder()
      .id(this.nextId())
      .title(title)
      .datasource(datasource)
      .targets(this.targets(title, [target]))
      .unit(o.unit ?? 'short')
      .span(o.w ?? 6)
      .height(4)
      .decimals(2)
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    if (o.description) p = p.description(o.description)
    if (o.thresholds)
      p = p.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(o.thresholds))
    return p
  }

  table(title: string, target: Target, o: { w?: number; h?: number; description?: string } = {}) {
    let p = new TablePanelBuilder()
      .id(this.nextId())
      .title(title)
      .datasource(datasource)
      .targets(this.targets(title, [{ ...target, instant: true, table: true }]))
      .span(o.w ?? 24)
      .height(o.h ?? 6)
    if (o.description) p = p.description(o.description)
    return p
  }
}

const datasourceVariable = () =>
  new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus')

const dashboard = (uid: string, title: string, description: string) =>
  new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['feecast'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable())

const red = 'red'
const green = 'green'
const budgetThresholds = [
  { value: null, color: red },
  { value: 0, color: 'orange' },
  { value: 0.25, color: green },
]

const sel = (s: SlothSlo) => `{sloth_id="${s.id}", sloth_service="${s.service}", sloth_slo="${s.slo}"}`
const burnWindows: Window[] = ['5m', '1h', '6h', '1d', '3d']

/** The SLI over the period, as the user would say it: good share, or coverage for a band. */
function periodSli(s: SlothSlo): Target {
  const slo = s.parent
  const legend = slo.groupBy.length > 0 ? slo.groupBy.map((l) => `{{${l}}}`).join(' ') : s.slo
  if (slo.kind === 'band') {
    const by = slo.groupBy
    const covered = `sum by (${by.join(', ')}) (increase(${slo.good}[${slo.period}]))`
    const scored = `clamp_min(sum by (${by.join(', ')}) (increase(${slo.total}[${slo.period}])), 1)`
    return { expr: `${covered} / ${scored}`, legend }
  }
  return { expr: `1 - slo:sli_error:ratio_rate${slo.period}${sel(s)}`, legend }
}

type Dashboard = ReturnType<typeof dashboard>

/** The firing SLO alerts: their count, and a table of them. */
function alertsRow(d: Dashboard, p: Panels, spec: SloSpec): void {
  const firing = `ALERTS{alertstate="firing", sloth_service="${spec.service}"}`
  d.withRow(p.row('Alerts'))
    .withPanel(
      p.stat(
        'Firing SLO alerts',
        { expr: `count(${firing}) or vector(0)`, instant: true },
        {
          w: 4,
          thresholds: [
            { value: null, color: green },
            { value: 1, color: red },
          ],
        },
      ),
    )
    .withPanel(
      p.table(
        'Firing alerts',
        { expr: `max by (alertname, severity, sloth_slo, chain_id) (${firing})` },
        { w: 20, h: 4 },
      ),
    )
}

/**
 * One objective's row: its objective, SLI, budget left, burn rates now and by window, budget over time.
 * Longer than 60 lines because it is six panel declarations in their on-screen order (panel ids follow it).
 */
function objectiveRow(d: Dashboard, p: Panels, s: SlothSlo): void {
  const slo = s.parent
  const legend = slo.groupBy.map((l) => `{{${l}}}`).join(' ')
  d.withRow(
    p.row(
      `${s.slo}: ${slo.kind === 'band' ? 'coverage' : 'objective'} ${num(s.objective * 100)}% over ${slo.period}`,
    ),
  )
    .withPanel(
      p.stat(
        `${s.slo}: objective`,
        { expr: `slo:objective:ratio${sel(s)}`, instant: true },
        { unit: 'percentunit', description: s.description },
      ),
    )
    .withPanel(
      p.stat(
        `${s.slo}: SLI over ${slo.period}`,
        { ...periodSli(s), instant: true },
        {
          unit: 'percentunit',
          description:
            slo.kind === 'band'
              ? `Coverage of the ${slo.nominal}% estimates over the period.`
              : slo.description,
        },
      ),
    )
    .withPanel(
      p.stat(
        `${s.slo}: error budget remaining`,
        {
          expr: `slo:period_error_budget_remaining:ratio${sel(s)}`,
          legend: legend || s.slo,
          instant: true,
        },
        { unit: 'percentunit', thresholds: budgetThresholds },
      ),
    )
    .withPanel(
      p.stat(
        `${s.slo}: burn rate (5m)`,
        { expr: `slo:current_burn_rate:ratio${sel(s)}`, legend: legend || s.slo, instant: true },
        {
          thresholds: [
            { value: null, color: green },
            { value: 1, color: 'orange' },
            { value: 6, color: red },
          ],
        },
      ),
    )
    .withPanel(
      p.timeseries(
        `${s.slo}: burn rate by window`,
        burnWindows.map((w) => ({
          expr: `slo:sli_error:ratio_rate${w}${sel(s)}\n/ on (sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${sel(s)}`,
          legend: `${w}${legend ? ` ${legend}` : ''}`,
        })),
        {
          description:
            'Error ratio over each window divided by the error budget: 1 spends the budget exactly over the period. Pages at 14.4 (1h and 5m) and 6 (6h and 30m).',
        },
      ),
    )
    .withPanel(
      p.timeseries(
        `${s.slo}: error budget remaining`,
        [{ expr: `slo:period_error_budget_remaining:ratio${sel(s)}`, legend: legend || s.slo }],
        { unit: 'percentunit' },
      ),
    )
}

function sloOverview(spec: SloSpec): GeneratedDashboard {
  const uid = `${spec.service}-slo`
  const title = `${spec.service} / SLOs`
  const p = new Panels(uid)
  const d = dashboard(
    uid,
    title,
    'Objectives, SLIs, error budgets, burn rates and firing alerts of every feecast SLO (generated from src/slo/).',
  )
  alertsRow(d, p, spec)
  for (const s of expandSpec(spec)) objectiveRow(d, p, s)
  return { uid, title, json: d.build(), queries: p.queries }
}

/** Requests per second, 5xx share and latency SLIs of /predict, rate and 5xx share by route. */
function trafficRow(d: Dashboard, p: Panels, job: string): void {
  const count = `${m.httpDuration}_count{${job}}`
  const byRoute = ['http_route']
  const predictCount = `${m.httpDuration}_count{${job},http_route="/predict"}`
  const predict5xx = `${m.httpDuration}_count{${job},http_route="/predict",http_response_status_code=~"5.."}`
  const within = (le: string) =>
    `${sumRate(`${m.httpDuration}_bucket{${job},http_route="/predict",le="${le}"}`, '1h', [])}\n/\nclamp_min(${sumRate(predictCount, '1h', [])}, 1e-9)`
  const errors = `(${sumRate(`${m.httpDuration}_count{${job},http_response_status_code=~"5.."}`, rate, byRoute)} or 0 * ${sumRate(count, rate, byRoute)})`
  d.withRow(p.row('Traffic and errors'))
    .withPanel(
      p.stat('Requests per second', { expr: `sum(rate(${count}[5m]))`, instant: true }, { unit: 'reqps' }),
    )
    .withPanel(
      p.stat(
        '/predict 5xx share (1h)',
        {
          expr: `(${sumRate(predict5xx, '1h', [])} or vector(0))\n/\nclamp_min(${sumRate(predictCount, '1h', [])}, 1e-9)`,
          instant: true,
        },
        { unit: 'percentunit' },
      ),
    )
    .withPanel(
      p.stat('/predict within 200 ms (1h)', { expr: within('0.2'), instant: true }, { unit: 'percentunit' }),
    )
    .withPanel(
      p.stat('/predict within 50 ms (1h)', { expr: within('0.05'), instant: true }, { unit: 'percentunit' }),
    )
    .withPanel(
      p.timeseries(
        'Request rate by route and status',
        [
          {
            expr: sumRate(count, rate, ['http_route', 'http_response_status_code']),
            legend: '{{http_route}} {{http_response_status_code}}',
          },
        ],
        { unit: 'reqps' },
      ),
    )
    .withPanel(
      p.timeseries(
        '5xx share by route',
        [
          {
            expr: `${errors}\n/\nclamp_min(${sumRate(count, rate, byRoute)}, 1e-9)`,
            legend: '{{http_route}}',
          },
        ],
        {
          unit: 'percentunit',
          min: 0,
        },
      ),
    )
}

/** Latency percentiles by route. */
function latencyRow(d: Dashboard, p: Panels, job: string): void {
  const bucket = `${m.httpDuration}_bucket{${job}}`
  const quantile = (q: number) => ({
    expr: `histogram_quantile(${q}, ${sumRate(bucket, rate, ['le', 'http_route'])})`,
    legend: `p${num(q * 100)} {{http_route}}`,
  })
  d.withRow(p.row('Latency')).withPanel(
    p.timeseries('Latency percentiles by route', [quantile(0.5), quantile(0.95), quantile(0.99)], {
      unit: 's',
      w: 24,
    }),
  )
}

/**
 * What the API's defences refused: connections shed at accept (per client, in all) beside those held,
 * and requests refused for their rate or their API key. Each reads 0, not "no data", before the first
 * refusal (the counters appear with their first increment).
 */
function apiDefencesRow(d: Dashboard, p: Panels, job: string): void {
  const tooMany = `${m.httpDuration}_count{${job},http_response_status_code="429"}`
  d.withRow(p.row('Defences'))
    .withPanel(
      p.timeseries(
        'Connections held, and shed at accept',
        [
          { expr: `sum(${m.openConnections}{${job}})`, legend: 'open' },
          {
            expr: `${sumRate(`${m.connectionsShed}{${job}}`, rate, ['reason'])} or on() vector(0)`,
            legend: 'shed/s {{reason}}',
          },
        ],
        {
          unit: 'short',
          description:
            'Open connections, and connections closed as soon as accepted because one address or the whole server was at its cap.',
        },
      ),
    )
    .withPanel(
      p.timeseries(
        'Requests refused: rate limit and API keys',
        [
          {
            expr: `${sumRate(tooMany, rate, ['http_route'])} or on() vector(0)`,
            legend: '429 {{http_route}}',
          },
          {
            expr: `${sumRate(`${m.apiKeyRejections}{${job}}`, rate, ['reason'])} or on() vector(0)`,
            legend: 'API key {{reason}}',
          },
        ],
        { unit: 'reqps' },
      ),
    )
}

function apiDashboard(spec: SloSpec): GeneratedDashboard {
  const uid = `${spec.service}-api`
  const title = `${spec.service} / API`
  const p = new Panels(uid)
  const job = `job="${spec.job}"`
  const d = dashboard(
    uid,
    title,
    'Request rate, errors and latency of the feecast HTTP API, by route, and what its defences refused.',
  )
  trafficRow(d, p, job)
  latencyRow(d, p, job)
  apiDefencesRow(d, p, job)
  return { uid, title, json: d.build(), queries: p.queries }
}

/** Data age against the freshness bound, and the head block, per chain. */
function freshnessRow(d: Dashboard, p: Panels, job: string): void {
  d.withRow(p.row('Freshness'))
    .withPanel(
      p.timeseries(
        'Data age per chain',
        [
          {
            expr: `time() - max by (chain_id) (${m.latestBlockTimestamp}{${job}})`,
            legend: 'age {{chain_id}}',
          },
          { expr: `max by (chain_id) (${m.freshnessBound}{${job}})`, legend: 'bound {{chain_id}}' },
        ],
        {
          unit: 's',
          description: 'Seconds since the newest sampled block, against the chain freshness bound.',
        },
      ),
    )
    .withPanel(
      p.timeseries(
        'Head block per chain',
        [{ expr: `max by (chain_id) (${m.headBlockNumber}{${job}})`, legend: '{{chain_id}}' }],
        { unit: 'none' },
      ),
    )
}

/** RPC calls by outcome, error share and latency per endpoint; reorgs per chain. */
function rpcRow(d: Dashboard, p: Panels, job: string): void {
  const rpc = `${m.rpcRequests}{${job}}`
  const rpcBy = ['chain_id', 'endpoint']
  d.withRow(p.row('RPC'))
    .withPanel(
      p.timeseries(
        'RPC calls by endpoint and outcome',
        [
          {
            expr: sumRate(rpc, rate, ['chain_id', 'endpoint', 'outcome']),
            legend: '{{chain_id}} {{endpoint}} {{outcome}}',
          },
        ],
        { unit: 'reqps' },
      ),
    )
    .withPanel(
      p.timeseries(
        'RPC error share per endpoint',
        [
          {
            expr: `(${sumRate(`${m.rpcRequests}{${job},outcome!="ok"}`, rate, rpcBy)} or 0 * ${sumRate(rpc, rate, rpcBy)})\n/\nclamp_min(${sumRate(rpc, rate, rpcBy)}, 1e-9)`,
            legend: '{{chain_id}} {{endpoint}}',
          },
        ],
        { unit: 'percentunit', min: 0, description: 'Errors and timeouts over all calls.' },
      ),
    )
    .withPanel(
      p.timeseries(
        'RPC latency per endpoint',
        [0.5, 0.95].map((q) => ({
          expr: `histogram_quantile(${q}, ${sumRate(`${m.rpcDuration}_bucket{${job}}`, rate, ['le', ...rpcBy])})`,
          legend: `p${num(q * 100)} {{chain_id}} {{endpoint}}`,
        })),
        { unit: 's' },
      ),
    )
    .withPanel(
      p.timeseries(
        'Reorgs per chain (1h)',
        [{ expr: `sum by (chain_id) (increase(${m.reorgs}{${job}}[1h]))`, legend: '{{chain_id}}' }],
        { unit: 'none' },
      ),
    )
}

/**
 * What the sampler refused from its endpoints: blocks that break the chain's rules (by reason), bodies
 * past the size cap, whether base fees still follow the known rule, and restarts of the embedded Redis.
 */
function samplerDefencesRow(d: Dashboard, p: Panels, job: string): void {
  d.withRow(p.row('Defences'))
    .withPanel(
      p.timeseries(
        'Blocks refused (1h), by reason',
        [
          {
            expr: `sum by (chain_id, reason) (increase(${m.blocksRejected}{${job}}[1h])) or on() vector(0)`,
            legend: '{{chain_id}} {{reason}}',
          },
        ],
        {
          unit: 'none',
          description:
            'Blocks not stored: a timestamp, base fee or blob gas that no rule gives from the parent.',
        },
      ),
    )
    .withPanel(
      p.timeseries(
        'Oversized RPC answers (1h)',
        [
          {
            expr: `sum by (chain_id, endpoint) (increase(${m.rpcOversized}{${job}}[1h])) or on() vector(0)`,
            legend: '{{chain_id}} {{endpoint}}',
          },
        ],
        { unit: 'none', description: 'Response bodies cut off at the size cap.' },
      ),
    )
    .withPanel(
      p.timeseries(
        'Base fees follow the known rule',
        [{ expr: `min by (chain_id) (${m.baseFeeRuleMatching}{${job}})`, legend: '{{chain_id}}' }],
        {
          unit: 'none',
          min: 0,
          max: 1,
          description:
            '1 while base fees follow the chain rule; 0 once they stopped (predictions then say low trust).',
        },
      ),
    )
    .withPanel(
      p.timeseries(
        'Embedded Redis restarts (1h)',
        [
          {
            expr: `sum by (outcome) (increase(${m.embeddedRedisRestarts}{${job}}[1h])) or on() vector(0)`,
            legend: '{{outcome}}',
          },
        ],
        { unit: 'none' },
      ),
    )
}

/**
 * How the sampler learns of new heads: pushed over a WebSocket subscription (eth_subscribe newHeads) or
 * polled, per endpoint, and the subscriptions lost. A chain with no ws(s):// endpoint has no series (0).
 */
function newHeadsRow(d: Dashboard, p: Panels, job: string): void {
  d.withRow(p.row('New heads'))
    .withPanel(
      p.timeseries(
        'New heads pushed (1) or polled (0)',
        [
          {
            expr: `max by (chain_id, endpoint) (${m.headSubscriptionLive}{${job}}) or on() vector(0)`,
            legend: '{{chain_id}} {{endpoint}}',
          },
        ],
        {
          unit: 'none',
          min: 0,
          max: 1,
          description:
            '1 while the endpoint pushes new heads (a new block reaches /predict in tens of ms); 0 while the sampler polls every POLL_INTERVAL_MS.',
        },
      ),
    )
    .withPanel(
      p.timeseries(
        'Head subscriptions lost (1h)',
        [
          {
            expr: `sum by (chain_id, endpoint) (increase(${m.headSubscriptionEnded}{${job}}[1h])) or on() vector(0)`,
            legend: '{{chain_id}} {{endpoint}}',
          },
        ],
        {
          unit: 'none',
          description:
            'Subscriptions that ended (socket closed, stalled, garbage frames) or were refused: the sampler polls until one is back.',
        },
      ),
    )
}

function samplerDashboard(spec: SloSpec): GeneratedDashboard {
  const uid = `${spec.service}-sampler`
  const title = `${spec.service} / Sampler`
  const p = new Panels(uid)
  const job = `job="${spec.job}"`
  const d = dashboard(
    uid,
    title,
    'Data age per chain, RPC outcomes and latency per endpoint, reorgs, new heads pushed or polled, and what the sampler refused.',
  )
  freshnessRow(d, p, job)
  rpcRow(d, p, job)
  newHeadsRow(d, p, job)
  samplerDefencesRow(d, p, job)
  return { uid, title, json: d.build(), queries: p.queries }
}

/** The model in use and the time a prediction takes. */
function modelRow(d: Dashboard, p: Panels, job: string): void {
  d.withRow(p.row('Model'))
    .withPanel(
      p.table(
        'Model in use',
        { expr: `max by (version, backend) (${m.modelInfo}{${job}})` },
        { w: 12, h: 4 },
      ),
    )
    .withPanel(
      p.timeseries(
        'Prediction time (p50, p95)',
        [0.5, 0.95].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le) (rate(${m.predictionDuration}_bucket{${job}}[${rate}])))`,
          legend: `p${num(q * 100)}`,
        })),
        { unit: 's', h: 4 },
      ),
    )
}

/** Each predicted fee by confidence, at the middle default horizon. */
function predictedFeesRow(d: Dashboard, p: Panels, job: string): void {
  const middle = at(defaultHorizons, Math.floor(defaultHorizons.length / 2))
  const feeTitles: Record<(typeof feeKinds)[number], string> = {
    max_fee: 'maxFeePerGas',
    priority_fee: 'maxPriorityFeePerGas',
    expected: 'expected fee paid per gas',
  }
  const fees = d.withRow(p.row('Predicted fees'))
  for (const fee of feeKinds) {
    fees.withPanel(
      p.timeseries(
        `${feeTitles[fee]} by confidence (within ${middle} blocks)`,
        [
          {
            expr: `max by (chain_id, confidence) (${predictedFeeMetric[fee]}{${job},within_blocks="${middle}"})`,
            legend: '{{chain_id}} {{confidence}}%',
          },
        ],
        { unit: 'none', w: 8, description: 'gwei' },
      ),
    )
  }
}

/** Live coverage against nominal, every level and horizon, and how many estimates are scored. */
function liveCalibrationRow(d: Dashboard, p: Panels, job: string): void {
  const cov = d.withRow(p.row('Live calibration'))
  cov.withPanel(
    p.timeseries(
      'Coverage minus nominal, every level and horizon',
      confidenceLevels.map((level) => ({
        expr: `max by (chain_id, within_blocks) (${m.calibrationCoverage}{${job},confidence="${level}"}) - ${num(level / 100)}`,
        legend: `${level}% {{chain_id}} within {{within_blocks}}`,
      })),
      {
        unit: 'percentunit',
        w: 24,
        description:
          'Recent realized coverage minus the nominal level: 0 is perfect calibration, below 0 estimates are too low.',
      },
    ),
  )
  for (const level of confidenceLevels) {
    cov.withPanel(
      p.timeseries(
        `Coverage at ${level}% by horizon`,
        [
          {
            expr: `max by (chain_id, within_blocks) (${m.calibrationCoverage}{${job},confidence="${level}"})`,
            legend: '{{chain_id}} within {{within_blocks}}',
          },
          { expr: `vector(${num(level / 100)})`, legend: 'nominal' },
        ],
        { unit: 'percentunit', w: level === confidenceLevels.at(-1) ? 24 : 12 },
      ),
    )
  }
  cov.withPanel(
    p.timeseries(
      'Scored estimates per minute by level',
      [
        {
          expr: `sum by (chain_id, confidence) (rate(${m.calibrationScored}{${job}}[${rate}])) * 60`,
          legend: '{{chain_id}} {{confidence}}%',
        },
      ],
      { unit: 'none', w: 24 },
    ),
  )
}

/** Blob-carrying chains: predicted maxFeePerBlobGas and live blob coverage per regime, level and horizon. */
function blobFeesRow(d: Dashboard, p: Panels, job: string): void {
  const row = d.withRow(p.row('Blob fees'))
  row.withPanel(
    p.timeseries(
      'maxFeePerBlobGas by confidence (within 10 blocks), and the next blob base fee',
      [
        {
          expr: `max by (chain_id, confidence) (${m.predictedMaxFeePerBlobGas}{${job},within_blocks="10"})`,
          legend: '{{chain_id}} {{confidence}}%',
        },
        {
          expr: `max by (chain_id) (${m.pendingBlobBaseFee}{${job}}) / 1e9`,
          legend: '{{chain_id}} next blob base fee',
        },
      ],
      { unit: 'none', w: 24, description: 'gwei' },
    ),
  )
  // One panel for both regimes: a chain may never enter one of them (the devchain stays priced).
  row.withPanel(
    p.timeseries(
      'Blob coverage minus nominal, by regime, level and horizon',
      confidenceLevels.map((level) => ({
        expr: `max by (chain_id, regime, within_blocks) (${m.blobCalibrationCoverage}{${job},confidence="${level}"}) - ${num(level / 100)}`,
        legend: `${level}% {{chain_id}} {{regime}} within {{within_blocks}}`,
      })),
      {
        unit: 'percentunit',
        w: 24,
        description:
          'Recent realized coverage of maxFeePerBlobGas minus the nominal level, per regime (priced, floor): 0 is perfect, below 0 caps are too low.',
      },
    ),
  )
}

function modelDashboard(spec: SloSpec): GeneratedDashboard {
  const uid = `${spec.service}-model`
  const title = `${spec.service} / Model`
  const p = new Panels(uid)
  const job = `job="${spec.job}"`
  const d = dashboard(
    uid,
    title,
    'Predicted fees per confidence level, live coverage against nominal per level and horizon, the model in use.',
  )
  modelRow(d, p, job)
  predictedFeesRow(d, p, job)
  liveCalibrationRow(d, p, job)
  blobFeesRow(d, p, job)
  return { uid, title, json: d.build(), queries: p.queries }
}

/** Every dashboard, in a stable order. */
export function generateDashboards(spec: SloSpec): GeneratedDashboard[] {
  return [sloOverview(spec), apiDashboard(spec), samplerDashboard(spec), modelDashboard(spec)]
}

/** Every panel query of every dashboard (for the end-to-end test). */
export function dashboardQueries(spec: SloSpec): PanelQuery[] {
  return generateDashboards(spec).flatMap((d) => d.queries)
}

/** A panel query as Prometheus can run it: Grafana's interval variables replaced. */
export function resolveGrafanaVariables(expr: string, o: { rateInterval: string }): string {
  return expr.replaceAll('$__rate_interval', o.rateInterval).replaceAll('$__interval', o.rateInterval)
}

import { chainProfile } from '../chains/chains.js'
import { metricNames as m } from '../metrics/metricNames.js'
import { SloSpecError } from './errors.js'
import { counterValues, expandingNotation, series } from './fixtures.js'
import type { InputSeries, SloSpec } from './types.js'

/**
 * feecast's SLOs: the one source of the recording rules, burn-rate alerts, absent-metric alerts,
 * Alertmanager routes, promtool tests, runbooks and the SLO dashboard (`npm run generate`).
 */

/** The scrape job of the feecast targets. */
const feecastJob = 'feecast'
const job = `job="${feecastJob}"`
const predict = `${job},http_route="/predict"`

/** Labels of the API series in the promtool fixtures. */
const apiLabels = {
  job: feecastJob,
  instance: 'api:8080',
  http_route: '/predict',
  http_request_method: 'GET',
}
/** Fixture chain: Ethereum, with its real freshness bound. */
const fixtureChain = 1
const fixtureBound = chainProfile(fixtureChain).freshnessSeconds

const latencyThresholds: Record<string, number> = { '200ms': 0.2, '50ms': 0.05 }
const fixtureBuckets = [0.05, 0.2, 1]

const goodOf = (events: number[], bad: number[]) => events.map((e, i) => e - bad[i]!)

export const feecastSloSpec: SloSpec = {
  service: 'feecast',
  job: feecastJob,
  runbookBase: 'prometheus/RUNBOOKS.md',
  slos: [
    {
      kind: 'ratio',
      name: 'predict-availability',
      title: 'Predict availability',
      description: 'Share of GET /predict requests answered without a server error (5xx).',
      period: '30d',
      groupBy: [],
      total: `${m.httpDuration}_count{${predict}}`,
      inputs: [`${m.httpDuration}_count{${predict}}`],
      objectives: [
        {
          target: 99.5,
          description: '99.5% of /predict requests over 30 days are not answered with a 5xx.',
          bad: `${m.httpDuration}_count{${predict},http_response_status_code=~"5.."}`,
        },
      ],
      fixture: (_objective, events, bad): InputSeries[] => [
        {
          series: series(`${m.httpDuration}_count`, { ...apiLabels, http_response_status_code: '200' }),
          values: counterValues(goodOf(events, bad)),
        },
        {
          series: series(`${m.httpDuration}_count`, { ...apiLabels, http_response_status_code: '503' }),
          values: counterValues(bad),
        },
        // Errors of another route must not count.
        {
          series: series(`${m.httpDuration}_count`, {
            ...apiLabels,
            http_route: '/gasprices/blockprices',
            http_response_status_code: '500',
          }),
          values: counterValues(events),
        },
      ],
      runbook: {
        impact:
          'Wallets asking /predict get server errors: they fall back to their own (worse) estimates or cannot send.',
        diagnose: [
          'API dashboard: which status codes and since when; is it all replicas or one (`sum by (instance)`)?',
          'API logs (`level>=50`) for the error and its request id.',
          `Is Redis reachable from the API replicas, and is a prediction being published (model dashboard, \`${m.predictedMaxFee}\`)?`,
          `A recent deploy? Compare \`${m.modelInfo}\` and the image tag.`,
        ],
        mitigate: [
          'Roll back the last deploy.',
          'Restart or scale out the API replicas (`FEECAST_ROLE=api`); they are stateless.',
          'If Redis is down, restore it: the API keeps serving the last prediction it holds, marked stale.',
        ],
      },
    },
    {
      kind: 'ratio',
      name: 'predict-latency',
      title: 'Predict latency',
      description: 'Share of GET /predict requests answered within a threshold (server-side duration).',
      period: '30d',
      groupBy: [],
      total: `${m.httpDuration}_count{${predict}}`,
      inputs: [`${m.httpDuration}_bucket{${predict}}`],
      objectives: [
        {
          suffix: '200ms',
          target: 99,
          description: '99% of /predict requests over 30 days are answered within 200 ms.',
          good: `${m.httpDuration}_bucket{${predict},le="0.2"}`,
        },
        {
          suffix: '50ms',
          target: 95,
          description: '95% of /predict requests over 30 days are answered within 50 ms.',
          good: `${m.httpDuration}_bucket{${predict},le="0.05"}`,
        },
      ],
      fixture: (objective, events, bad): InputSeries[] => {
        const threshold = latencyThresholds[objective.replace('predict-latency-', '')]
        if (threshold === undefined) throw new SloSpecError(`no latency threshold for ${objective}`)
        const within = goodOf(events, bad)
        return [
          {
            series: series(`${m.httpDuration}_count`, { ...apiLabels, http_response_status_code: '200' }),
            values: counterValues(events),
          },
          ...[...fixtureBuckets, '+Inf' as const].map((le) => ({
            series: series(`${m.httpDuration}_bucket`, {
              ...apiLabels,
              http_response_status_code: '200',
              le: String(le),
            }),
            // Slow requests take just over the threshold: every bucket at or below it misses them.
            values: counterValues(le !== '+Inf' && le <= threshold ? within : events),
          })),
        ]
      },
      runbook: {
        impact: '/predict is slow: wallets time out or show a spinner before the fee.',
        diagnose: [
          'API dashboard: latency percentiles by route; is it /predict only or every route (event loop blocked)?',
          '`nodejs_eventloop_lag_p99_seconds` and `process_cpu_seconds_total` per instance: CPU saturation or a blocking call.',
          'Request rate: a traffic surge beyond the replicas (rate limiting answers 429, not slowly).',
          '/predict is a memory read: slowness usually means the process is starved, not the model.',
        ],
        mitigate: [
          'Scale out the API replicas (`FEECAST_ROLE=api`).',
          'Move the sampler and predictor off API replicas (run `FEECAST_ROLE=sampler` separately).',
          'Roll back the last deploy.',
        ],
      },
    },
    {
      kind: 'time-share',
      name: 'sampler-freshness',
      title: 'Sampler freshness',
      description: `Share of time each chain's newest sampled block is younger than the chain's freshness bound (${m.freshnessBound}).`,
      period: '30d',
      groupBy: ['chain_id'],
      inputs: [`${m.latestBlockTimestamp}{${job}}`, `${m.freshnessBound}{${job}}`],
      indicator: {
        record: 'feecast:sampler_data_stale:bool',
        // The last hour's newest values: a sampler that stops exporting still counts as stale for an hour.
        expr: [
          '(',
          `  time() - max by (chain_id) (max_over_time(${m.latestBlockTimestamp}{${job}}[1h]))`,
          ')',
          '> bool',
          `max by (chain_id) (max_over_time(${m.freshnessBound}{${job}}[1h]))`,
        ].join('\n'),
      },
      objectives: [
        {
          target: 99.5,
          description: "Each chain's newest block is younger than its bound 99.5% of the time over 30 days.",
        },
      ],
      fixture: (stuck) => {
        const ts = stuckTimestamps(stuck)
        const labels = { job: feecastJob, instance: 'sampler:8080', chain_id: String(fixtureChain) }
        return [
          { series: series(m.latestBlockTimestamp, labels), values: expandingNotation(ts) },
          { series: series(m.freshnessBound, labels), values: `${fixtureBound}+0x${stuck.length - 1}` },
        ]
      },
      modelIndicator: (stuck) =>
        stuckTimestamps(stuck).map((t, minute) => (minute * 60 - t > fixtureBound ? 1 : 0)),
      runbook: {
        impact:
          'Predictions are computed from old blocks: the API marks them stale and wallets get a "low" trust label or no fee at all.',
        diagnose: [
          'Sampler dashboard: data age per chain, RPC errors and latency per endpoint. Is it one chain or all?',
          'All chains: is any sampler the leader (its logs, the Redis lease), is Redis reachable?',
          `One chain: RPC outcome by endpoint (\`${m.rpcRequests}\`): timeouts, errors, circuit breakers open; the chain itself may be halted (check a block explorer).`,
          `\`${m.headBlockNumber}\` flat while RPC calls succeed: the endpoint serves an old head (lagging node).`,
        ],
        mitigate: [
          'Add or swap an RPC endpoint for the chain (`RPC_URL_<chainId>`, comma-separated fallbacks).',
          'Restart the sampler leader: a replica takes the lease within `LEASE_TTL_MS`.',
          'If the chain is halted, nothing to fix: say so on the status page; the API already marks data stale.',
        ],
      },
    },
    {
      kind: 'band',
      name: 'prediction-calibration',
      title: 'Prediction calibration',
      description:
        'Share of scored estimates at the 90% level that were covered (included in time, maxFee above every base fee), per chain over one day: kept within 88-92%.',
      period: '1d',
      groupBy: ['chain_id'],
      total: `${m.calibrationScored}{${job},confidence="90"}`,
      good: `${m.calibrationCovered}{${job},confidence="90"}`,
      inputs: [`${m.calibrationScored}{${job},confidence="90"}`],
      nominal: 90,
      lower: 88,
      upper: 92,
      minEvents: 50,
      // The period is one day: tickets look at most a day back (a 3-day window would outlive the period).
      alerting: {
        page: [
          { factor: 14.4, long: '1h', short: '5m' },
          { factor: 6, long: '6h', short: '30m' },
        ],
        ticket: [
          { factor: 3, long: '6h', short: '30m' },
          { factor: 1, long: '1d', short: '2h' },
        ],
      },
      fixture: (events, bad) => {
        const labels = {
          job: feecastJob,
          instance: 'api:8080',
          chain_id: String(fixtureChain),
          within_blocks: '3',
        }
        return [
          {
            series: series(m.calibrationScored, { ...labels, confidence: '90' }),
            values: counterValues(events),
          },
          {
            series: series(m.calibrationCovered, { ...labels, confidence: '90' }),
            values: counterValues(goodOf(events, bad)),
          },
          // Another level, far from 90% coverage, must not count.
          {
            series: series(m.calibrationScored, { ...labels, confidence: '50' }),
            values: counterValues(events),
          },
          {
            series: series(m.calibrationCovered, { ...labels, confidence: '50' }),
            values: counterValues(events.map((e) => e / 2)),
          },
        ]
      },
      runbook: {
        impact:
          'Under-coverage: estimates at "90%" land less often than promised, so transactions get stuck. Over-coverage: estimates are higher than needed, so users overpay (tickets only).',
        diagnose: [
          'Model dashboard: live coverage vs nominal per level and horizon for the chain; is it every horizon or the long ones?',
          'Sampler dashboard: a reorg storm, missing blocks or stale data corrupt the scoring as much as the model.',
          'Did the chain change regime (a fee spike, a new tip floor, a fork changing EIP-1559 parameters)? Compare base-fee volatility with the training range.',
          `\`${m.modelInfo}\`: a new model version or TF.js backend since the drift began?`,
        ],
        mitigate: [
          'The online conformal adjustment corrects drift within hours; a page means it cannot keep up: roll back to the previous model.',
          'If inputs are bad (stale data, reorgs), fix the sampler first: scoring will follow.',
          'Retrain the model on recent history and redeploy it.',
        ],
      },
    },
  ],
}

/** Block timestamps of a sampler that records a block every minute except while `stuck[m]` is 1. */
function stuckTimestamps(stuck: number[]): number[] {
  const ts: number[] = []
  let last = 0
  for (let minute = 0; minute < stuck.length; minute++) {
    if (!stuck[minute]) last = minute * 60
    ts.push(last)
  }
  return ts
}

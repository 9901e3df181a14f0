import { chainProfile } from '../chains/chains.js'
import { at as elementAt } from '../lib/at.js'
import { metricNames as m } from '../metrics/metricNames.js'
import { SloSpecError } from './errors.js'
import { counterValues, expandingNotation, series } from './fixtures.js'
import type { ConditionAlert, InputSeries, SloSpec } from './types.js'

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

const goodOf = (events: number[], bad: number[]) => events.map((e, i) => e - elementAt(bad, i))

/** Series of the defence alerts' promtool tests. */
const at = (metric: string, labels: Record<string, string>, values: string): InputSeries => ({
  series: series(metric, { job: feecastJob, instance: 'feecast:8080', ...labels }),
  values,
})

/**
 * Alerts on feecast's defences (issue #11): each one acting is something an on-call wants to know,
 * usually before or instead of an SLO burning.
 */
const defenceAlerts: ConditionAlert[] = [
  {
    name: 'BlocksRejected',
    anchor: 'blocks-rejected',
    title: 'Blocks refused',
    severity: 'ticket',
    expr: `sum by (chain_id) (rate(${m.blocksRejected}{${job}}[5m])) > 0`,
    for: '5m',
    groupBy: ['chain_id'],
    summary: 'chain {{ $labels.chain_id }}: the sampler refuses the blocks its endpoints serve',
    description:
      "Blocks with a timestamp from the future, an impossible base fee, one breaking the chain's known rule, or a chain that shares no block with the stored one (reorg-too-deep) are being refused: nothing new is stored, the chain ages into stale (/readyz says which block and why).",
    runbook: {
      impact:
        'No new data for the chain: predictions age into stale and the compatible routes answer 503. Nothing wrong was stored.',
      diagnose: [
        '/readyz (and the sampler logs, `block N rejected (reason)`) name the block and the reason.',
        "`timestamp`: is this machine's clock right (`timedatectl`)? A block from the future is refused over 30 s ahead.",
        `\`base-fee\`: an endpoint serves impossible base fees (a broken or hostile node): which one (\`${m.rpcRequests}\` by endpoint)?`,
        '`base-fee-rule`: the chain may have changed its EIP-1559 parameters (a fork): after 16 blocks built on it feecast follows it with low trust.',
        "`reorg-too-deep`: the node's chain shares no block with the stored one within 128 blocks (or differs from every stored block with a hash). A wrong or hostile endpoint, or a chain that was really reset (a devnet restarted from genesis, a testnet regenesis): ask the chain's operators, or compare the endpoint's block hashes with another provider's.",
      ],
      mitigate: [
        'Remove or replace the endpoint that serves the bad blocks (`RPC_URL_<chainId>`).',
        'Fix the clock (NTP) when timestamps are refused on every chain.',
        "A fork that changed the chain's parameters: update its profile in `src/chains/chains.ts`.",
        "`reorg-too-deep` on a chain you know was reset: `feecast forget-chain --chain-id <chainId> --yes` (against the service's Redis; with the embedded one, stop feecast first) deletes that chain's stored history, and its sampler backfills it from the node. Never for a wrong endpoint: replace the endpoint instead, the refusal is what keeps its chain out of the store.",
      ],
    },
    test: {
      at: '20m',
      labels: { chain_id: '1' },
      firing: [at(m.blocksRejected, { chain_id: '1', reason: 'base-fee' }, '0+6x20')],
      quiet: [at(m.blocksRejected, { chain_id: '1', reason: 'base-fee' }, '3+0x20')],
    },
  },
  {
    name: 'BaseFeeRuleMismatch',
    anchor: 'base-fee-rule-mismatch',
    title: "Base fees off the chain's rule",
    severity: 'ticket',
    expr: `min by (chain_id) (${m.baseFeeRuleMatching}{${job}}) == 0`,
    for: '30m',
    groupBy: ['chain_id'],
    summary: "chain {{ $labels.chain_id }}: base fees no longer follow the chain's known rule",
    description:
      "The chain's base fees stopped following the EIP-1559 parameters feecast knows for it; it is followed, with every prediction labelled low trust.",
    runbook: {
      impact: 'Predictions for the chain carry the `low` trust label; wallets that check it fall back.',
      diagnose: [
        'The sampler log line "no longer follow its known rule" quotes the block, its base fee and what the rule gives.',
        'Did the chain have a fork or a parameter change (OP-stack `extraData`, a minimum base fee, a new denominator)?',
      ],
      mitigate: ["Update the chain's profile (`src/chains/chains.ts`) to its new rule and deploy."],
    },
    test: {
      at: '40m',
      labels: { chain_id: '10' },
      firing: [at(m.baseFeeRuleMatching, { chain_id: '10' }, '0+0x40')],
      quiet: [at(m.baseFeeRuleMatching, { chain_id: '10' }, '1+0x40')],
    },
  },
  {
    name: 'ConnectionCapReached',
    anchor: 'connection-cap-reached',
    title: 'API at its connection cap',
    severity: 'page',
    expr: `sum by (instance) (rate(${m.connectionsShed}{${job},reason="total"}[5m])) > 0`,
    for: '5m',
    groupBy: ['instance'],
    summary: '{{ $labels.instance }}: the API is at MAX_CONNECTIONS and closes new connections',
    description:
      "Every new connection, wallets' included, is closed as soon as it is accepted: the instance holds as many connections as its open-file limit allows.",
    runbook: {
      impact: 'Wallets cannot connect to this instance.',
      diagnose: [
        `\`${m.openConnections}\` by instance, and \`${m.connectionsShed}{reason="per-client"}\`: many clients, or a flood from many addresses?`,
        'Are the connections idle (a slow-loris flood) or busy (real traffic beyond the instance)?',
      ],
      mitigate: [
        'Scale out the API replicas (`FEECAST_ROLE=api`).',
        'Raise the open-file limit (and `MAX_CONNECTIONS`) if the traffic is real.',
        'Block the flooding networks at the load balancer.',
      ],
    },
    test: {
      at: '15m',
      labels: { instance: 'feecast:8080' },
      firing: [at(m.connectionsShed, { reason: 'total' }, '0+120x15')],
      quiet: [
        at(m.connectionsShed, { reason: 'total' }, '0+0x15'),
        at(m.connectionsShed, { reason: 'per-client' }, '0+600x15'),
      ],
    },
  },
  {
    name: 'ConnectionsShed',
    anchor: 'connections-shed',
    title: 'A client over its connection cap',
    severity: 'ticket',
    expr: `sum by (instance) (rate(${m.connectionsShed}{${job},reason="per-client"}[5m])) > 1`,
    for: '15m',
    groupBy: ['instance'],
    summary:
      '{{ $labels.instance }}: connections from a client over MAX_CONNECTIONS_PER_CLIENT are being closed',
    description:
      'A client address keeps opening more connections than it may hold: a flood (which is being shed, the service stays up), or a proxy that is not listed in TRUST_PROXY.',
    runbook: {
      impact:
        "None while the cap holds; a proxy missing from TRUST_PROXY would see its clients' connections closed.",
      diagnose: [
        'The API log line "a client is over its connection limit" names the address (once a minute).',
        'Is it one of your proxies or load balancers?',
      ],
      mitigate: ['A proxy of yours: add it to `TRUST_PROXY`.', 'A flood: block the address upstream.'],
    },
    test: {
      at: '25m',
      labels: { instance: 'feecast:8080' },
      firing: [at(m.connectionsShed, { reason: 'per-client' }, '0+600x25')],
      quiet: [at(m.connectionsShed, { reason: 'per-client' }, '0+10x25')],
    },
  },
  {
    name: 'RpcOversizedResponses',
    anchor: 'rpc-oversized-responses',
    title: 'Oversized RPC responses',
    severity: 'ticket',
    expr: `sum by (chain_id, endpoint) (increase(${m.rpcOversized}{${job}}[15m])) > 3`,
    for: '5m',
    groupBy: ['chain_id', 'endpoint'],
    summary:
      'chain {{ $labels.chain_id }}: {{ $labels.endpoint }} answers with bodies over RPC_MAX_RESPONSE_BYTES',
    description:
      'Responses of this endpoint are cut off at the size cap: a broken or hostile endpoint, or a chain whose whole blocks outgrew the cap (they are then recorded without tips).',
    runbook: {
      impact:
        'Calls to the endpoint fail over to the next one; blocks over the cap are recorded without their tips.',
      diagnose: [
        'Sampler logs: "over the response size cap" (whole blocks) or `oversized` failures on other methods (a hostile endpoint).',
        "How big are the chain's blocks with their transactions now (`eth_getBlockByNumber(..., true)` from another node)?",
      ],
      mitigate: [
        'A hostile or broken endpoint: remove it from `RPC_URL_<chainId>`.',
        'Blocks really that big: raise `RPC_MAX_RESPONSE_BYTES`.',
      ],
    },
    test: {
      at: '20m',
      labels: { chain_id: '1', endpoint: 'rpc.example#0' },
      firing: [at(m.rpcOversized, { chain_id: '1', endpoint: 'rpc.example#0' }, '0+1x20')],
      quiet: [at(m.rpcOversized, { chain_id: '1', endpoint: 'rpc.example#0' }, '0+0x20')],
    },
  },
  {
    name: 'EmbeddedRedisDown',
    anchor: 'embedded-redis-down',
    title: 'Embedded Redis down',
    severity: 'page',
    expr: `max by (instance) (${m.embeddedRedisUp}{${job}}) == 0`,
    for: '2m',
    groupBy: ['instance'],
    summary: '{{ $labels.instance }}: the embedded redis-server is down and does not come back',
    description:
      'feecast restarts its redis-server with back-off; it has not been running for 2 minutes: its last words are in the logs (component redis-server).',
    runbook: {
      impact: 'Nothing is stored or predicted; the API answers from memory, marked stale as it ages.',
      diagnose: [
        'Logs of component `redis-server`: "exited" (with its last output) and "could not be restarted" (why).',
        'A full disk (`df` on FEECAST_STATE_DIR) or a damaged append-only file are the usual causes.',
      ],
      mitigate: [
        'Free disk space under FEECAST_STATE_DIR; feecast restarts redis-server by itself.',
        'A damaged append-only file: `redis-check-aof --fix` on it, with feecast stopped.',
      ],
    },
    test: {
      at: '10m',
      labels: { instance: 'feecast:8080' },
      firing: [at(m.embeddedRedisUp, { redis: 'embedded' }, '1+0x5 0+0x5')],
      quiet: [at(m.embeddedRedisUp, { redis: 'embedded' }, '1+0x8 0 1')],
    },
  },
  {
    name: 'EmbeddedRedisRestarting',
    anchor: 'embedded-redis-restarting',
    title: 'Embedded Redis restarting',
    severity: 'ticket',
    expr: `sum by (instance) (increase(${m.embeddedRedisRestarts}{${job}}[30m])) >= 3`,
    for: '0m',
    groupBy: ['instance'],
    summary: '{{ $labels.instance }}: the embedded redis-server was restarted 3 times or more in 30 minutes',
    description:
      'It keeps exiting: each time feecast restarts it, and a little data may be replayed from its append-only file.',
    runbook: {
      impact: 'Short gaps in storing and predicting; the sampler refills what it missed from the chain.',
      diagnose: ['Logs of component `redis-server`: what it said before each exit (memory, disk, a kill).'],
      mitigate: [
        'Fix the cause it names (memory limit, disk space); or point `REDIS_URL` at a managed Redis.',
      ],
    },
    test: {
      at: '20m',
      labels: { instance: 'feecast:8080' },
      firing: [at(m.embeddedRedisRestarts, { outcome: 'ok' }, '0 0 1 1 2 2 3 3 4 4 4 4 4 4 4 4 4 4 4 4 4')],
      quiet: [at(m.embeddedRedisRestarts, { outcome: 'ok' }, '0 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1')],
    },
  },
  {
    name: 'ApiKeysRejected',
    anchor: 'api-keys-rejected',
    title: 'Unknown API keys',
    severity: 'ticket',
    expr: `sum by (instance) (rate(${m.apiKeyRejections}{${job},reason="unknown"}[5m])) > 0.5`,
    for: '15m',
    groupBy: ['instance'],
    summary: '{{ $labels.instance }}: requests keep coming with API keys that are not configured',
    description:
      'More than one request every 2 s for 15 minutes presents an unknown API key: a client with a revoked key, or someone guessing keys.',
    runbook: {
      impact: 'Those requests get 401; the clients with valid keys are not affected.',
      diagnose: [
        'Access logs at info: 401s with their request ids and paths (never the keys).',
        'Was a key revoked or rotated recently (API_KEYS, API_KEYS_FILE)?',
      ],
      mitigate: ['Give the client its new key; or block the guessing addresses upstream.'],
    },
    test: {
      at: '30m',
      labels: { instance: 'feecast:8080' },
      firing: [at(m.apiKeyRejections, { reason: 'unknown' }, '0+60x30')],
      quiet: [
        at(m.apiKeyRejections, { reason: 'unknown' }, '0+6x30'),
        at(m.apiKeyRejections, { reason: 'missing' }, '0+600x30'),
      ],
    },
  },
]

export const feecastSloSpec: SloSpec = {
  service: 'feecast',
  job: feecastJob,
  runbookBase: 'prometheus/RUNBOOKS.md',
  alerts: defenceAlerts,
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
    {
      kind: 'band',
      name: 'blob-fee-calibration',
      title: 'Blob fee calibration',
      description:
        'Share of scored maxFeePerBlobGas estimates at the 90% level, priced blocks (next blob base fee at least 1,000 wei), that stayed at or above the blob base fee of every block of their horizon, per blob-carrying chain over one day: kept within 88-92%.',
      period: '1d',
      groupBy: ['chain_id'],
      total: `${m.blobCalibrationScored}{${job},regime="priced",confidence="90"}`,
      good: `${m.blobCalibrationCovered}{${job},regime="priced",confidence="90"}`,
      inputs: [`${m.blobCalibrationScored}{${job},regime="priced",confidence="90"}`],
      nominal: 90,
      lower: 88,
      upper: 92,
      minEvents: 50,
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
          confidence: '90',
        }
        return [
          {
            series: series(m.blobCalibrationScored, { ...labels, regime: 'priced' }),
            values: counterValues(events),
          },
          {
            series: series(m.blobCalibrationCovered, { ...labels, regime: 'priced' }),
            values: counterValues(goodOf(events, bad)),
          },
          // The floor regime (often certain at 1 wei) must not count: it cannot make up for priced misses.
          {
            series: series(m.blobCalibrationScored, { ...labels, regime: 'floor' }),
            values: counterValues(events),
          },
          {
            series: series(m.blobCalibrationCovered, { ...labels, regime: 'floor' }),
            values: counterValues(events.map((e) => e / 2)),
          },
        ]
      },
      runbook: {
        impact:
          'Under-coverage: blob transactions signed with feecast\'s maxFeePerBlobGas at "90%" are priced out more often than promised and wait (rollup batches stall). Over-coverage: more balance locked than needed (tickets only).',
        diagnose: [
          'Model dashboard: live blob coverage per regime, level and horizon for the chain; is it every horizon or the long ones?',
          "A blob fork (new target, max or update fraction) since the drift began? Compare the chain's blob schedule (built in, or eth_config: the prediction's trust reasons) with the fork announcements.",
          `Blocks refused with reason blob-rule (\`${m.blocksRejected}\`): the endpoint or the schedule is wrong.`,
          `\`${m.blobModelInfo}\`: a new blob model version since the drift began?`,
        ],
        mitigate: [
          'The online conformal adjustment per regime corrects drift within hours; a page means it cannot keep up: roll back the blob model (models/blobfee).',
          "A fork feecast does not know: add it to the built-in schedule (src/chains/blobSchedule.ts) or let the node's eth_config give it.",
          'Retrain the blob model on recent blob history (`feecast train --fee blob`) and redeploy it.',
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

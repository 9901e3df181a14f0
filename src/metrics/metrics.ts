import client from 'prom-client'

/**
 * The one module that owns every metric definition. Other modules call the small functions below;
 * none of them creates a metric of its own. Every label has a bounded set of values: chain ids of
 * configured chains, confidence levels, horizons, endpoint labels (`endpointLabel`, host#index: never
 * a URL), route patterns (never raw paths), HTTP methods and status codes.
 *
 * | metric | type | labels |
 * |---|---|---|
 * | http_server_request_duration_seconds | histogram | http_route, http_request_method, http_response_status_code |
 * | feecast_http_connections_shed_total | counter | reason (per-client, total) |
 * | feecast_http_open_connections | gauge (at scrape) | |
 * | feecast_api_key_rejections_total | counter | reason (missing, unknown): never the key |
 * | feecast_predicted_max_fee_per_gas_gwei | gauge | chain_id, confidence, within_blocks |
 * | feecast_predicted_max_priority_fee_per_gas_gwei | gauge | chain_id, confidence, within_blocks |
 * | feecast_predicted_expected_fee_per_gas_gwei | gauge | chain_id, confidence, within_blocks |
 * | feecast_predicted_block_number | gauge | chain_id |
 * | feecast_prediction_age_seconds | gauge (at scrape) | chain_id |
 * | feecast_prediction_duration_seconds | histogram | chain_id |
 * | feecast_latest_block_timestamp_seconds | gauge | chain_id |
 * | feecast_head_block_number | gauge | chain_id |
 * | feecast_chain_freshness_bound_seconds | gauge | chain_id |
 * | feecast_rpc_requests_total | counter | chain_id, endpoint, outcome (ok, error, timeout) |
 * | feecast_rpc_request_duration_seconds | histogram | chain_id, endpoint |
 * | feecast_rpc_oversized_responses_total | counter | chain_id, endpoint |
 * | feecast_reorgs_total | counter | chain_id |
 * | feecast_blocks_rejected_total | counter | chain_id, reason (timestamp, base-fee, base-fee-rule) |
 * | feecast_base_fee_rule_matching | gauge | chain_id (1 follows its known rule, 0 no longer, absent: rule unknown) |
 * | feecast_reorg_depth_blocks | histogram | chain_id |
 * | feecast_calibration_coverage_ratio | gauge | chain_id, confidence, within_blocks |
 * | feecast_calibration_scored_total | counter | chain_id, confidence, within_blocks |
 * | feecast_calibration_covered_total | counter | chain_id, confidence, within_blocks |
 * | feecast_model_info | gauge (1) | version, backend |
 * | feecast_embedded_redis_up | gauge | redis (embedded): 1 while the embedded redis-server runs |
 * | feecast_embedded_redis_restarts_total | counter | outcome (ok, failed) |
 * | process_*, nodejs_* | default Node metrics (prom-client) | |
 */

export const registry = new client.Registry()
client.collectDefaultMetrics({ register: registry })

const httpBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5]
const rpcBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const computeBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

const httpDuration = new client.Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'Duration of HTTP requests served by the API, by route pattern, method and status',
  labelNames: ['http_route', 'http_request_method', 'http_response_status_code'] as const,
  buckets: httpBuckets,
  registers: [registry],
})

const connectionsShed = new client.Counter({
  name: 'feecast_http_connections_shed_total',
  help: 'Connections closed as soon as accepted: their client address (per-client) or the server (total) was at its cap',
  labelNames: ['reason'] as const,
  registers: [registry],
})
connectionsShed.inc({ reason: 'per-client' }, 0)
connectionsShed.inc({ reason: 'total' }, 0)

const apiKeyRejections = new client.Counter({
  name: 'feecast_api_key_rejections_total',
  help: 'Requests refused with 401 while API keys are on: without a key (missing) or with one not configured (unknown)',
  labelNames: ['reason'] as const,
  registers: [registry],
})

let openConnectionsSource: (() => number) | undefined
new client.Gauge({
  name: 'feecast_http_open_connections',
  help: 'Connections the API holds open now',
  registers: [registry],
  collect() {
    this.reset()
    if (openConnectionsSource) this.set(openConnectionsSource())
  },
})

const feeLabels = ['chain_id', 'confidence', 'within_blocks'] as const
const predictedMaxFee = new client.Gauge({
  name: 'feecast_predicted_max_fee_per_gas_gwei',
  help: 'Latest predicted maxFeePerGas (gwei) per chain, confidence level and horizon',
  labelNames: feeLabels,
  registers: [registry],
})
const predictedTip = new client.Gauge({
  name: 'feecast_predicted_max_priority_fee_per_gas_gwei',
  help: 'Latest predicted maxPriorityFeePerGas (gwei) per chain, confidence level and horizon',
  labelNames: feeLabels,
  registers: [registry],
})
const predictedExpected = new client.Gauge({
  name: 'feecast_predicted_expected_fee_per_gas_gwei',
  help: 'Latest expected fee paid per gas (gwei) per chain, confidence level and horizon',
  labelNames: feeLabels,
  registers: [registry],
})
const predictedBlock = new client.Gauge({
  name: 'feecast_predicted_block_number',
  help: 'Head block of the latest prediction served per chain',
  labelNames: ['chain_id'] as const,
  registers: [registry],
})

let predictionAgeSource: (() => Iterable<{ chainId: number; ageSeconds: number }>) | undefined
new client.Gauge({
  name: 'feecast_prediction_age_seconds',
  help: 'Age of the data behind the prediction served per chain (now - head block time), at scrape time',
  labelNames: ['chain_id'] as const,
  registers: [registry],
  collect() {
    this.reset()
    if (!predictionAgeSource) return
    for (const { chainId, ageSeconds } of predictionAgeSource())
      this.set({ chain_id: String(chainId) }, ageSeconds)
  },
})

const predictionDuration = new client.Histogram({
  name: 'feecast_prediction_duration_seconds',
  help: 'Time to compute one prediction (features, model, calibration)',
  labelNames: ['chain_id'] as const,
  buckets: computeBuckets,
  registers: [registry],
})

const latestBlockTimestamp = new client.Gauge({
  name: 'feecast_latest_block_timestamp_seconds',
  help: 'Timestamp (unix seconds) of the newest block the sampler has recorded per chain',
  labelNames: ['chain_id'] as const,
  registers: [registry],
})
const headBlockNumber = new client.Gauge({
  name: 'feecast_head_block_number',
  help: 'Number of the newest block the sampler has recorded per chain',
  labelNames: ['chain_id'] as const,
  registers: [registry],
})

const rpcRequests = new client.Counter({
  name: 'feecast_rpc_requests_total',
  help: 'JSON-RPC calls per chain, endpoint (host#index, never the URL) and outcome',
  labelNames: ['chain_id', 'endpoint', 'outcome'] as const,
  registers: [registry],
})
const rpcDuration = new client.Histogram({
  name: 'feecast_rpc_request_duration_seconds',
  help: 'JSON-RPC call latency per chain and endpoint',
  labelNames: ['chain_id', 'endpoint'] as const,
  buckets: rpcBuckets,
  registers: [registry],
})

const rpcOversized = new client.Counter({
  name: 'feecast_rpc_oversized_responses_total',
  help: 'JSON-RPC responses whose body passed RPC_MAX_RESPONSE_BYTES and whose read was cut off',
  labelNames: ['chain_id', 'endpoint'] as const,
  registers: [registry],
})

const freshnessBound = new client.Gauge({
  name: 'feecast_chain_freshness_bound_seconds',
  help: "Age (seconds) beyond which a chain's data counts as stale",
  labelNames: ['chain_id'] as const,
  registers: [registry],
})
const reorgs = new client.Counter({
  name: 'feecast_reorgs_total',
  help: 'Chain reorganisations detected per chain',
  labelNames: ['chain_id'] as const,
  registers: [registry],
})
const blocksRejected = new client.Counter({
  name: 'feecast_blocks_rejected_total',
  help: 'Blocks refused by the checks of what an endpoint says (each attempt), by reason',
  labelNames: ['chain_id', 'reason'] as const,
  registers: [registry],
})
const baseFeeRuleMatching = new client.Gauge({
  name: 'feecast_base_fee_rule_matching',
  help: "1 while a chain's base fees follow its known rule, 0 once they stopped (followed with low trust)",
  labelNames: ['chain_id'] as const,
  registers: [registry],
})
const rejectionReasons = new Set(['timestamp', 'base-fee', 'base-fee-rule'])

const reorgDepth = new client.Histogram({
  name: 'feecast_reorg_depth_blocks',
  help: 'Depth (blocks rewritten) of detected reorganisations',
  labelNames: ['chain_id'] as const,
  buckets: [1, 2, 3, 5, 10, 20, 64],
  registers: [registry],
})

const coverage = new client.Gauge({
  name: 'feecast_calibration_coverage_ratio',
  help: 'Recent realized coverage of the estimates per chain, confidence level and horizon (target: confidence/100)',
  labelNames: feeLabels,
  registers: [registry],
})
const scored = new client.Counter({
  name: 'feecast_calibration_scored_total',
  help: 'Past estimates scored against realized blocks',
  labelNames: feeLabels,
  registers: [registry],
})
const covered = new client.Counter({
  name: 'feecast_calibration_covered_total',
  help: 'Scored estimates that held (included in time and maxFee above every base fee)',
  labelNames: feeLabels,
  registers: [registry],
})

const modelInfo = new client.Gauge({
  name: 'feecast_model_info',
  help: 'The model in use (always 1): its version and TF.js backend',
  labelNames: ['version', 'backend'] as const,
  registers: [registry],
})

const embeddedRedisUp = new client.Gauge({
  name: 'feecast_embedded_redis_up',
  help: 'Whether the embedded redis-server is running (only exported when feecast runs one)',
  // A labelled gauge has no series until set: a service on an external Redis exports none (not a 0).
  labelNames: ['redis'] as const,
  registers: [registry],
})
const embeddedRedisRestarts = new client.Counter({
  name: 'feecast_embedded_redis_restarts_total',
  help: 'Restarts of the embedded redis-server after it exited on its own, by outcome',
  labelNames: ['outcome'] as const,
  registers: [registry],
})

// ---------------------------------------------------------------------------------------------------
// Label guards: a label value outside its bounded set is replaced, never passed through.

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'])

function chainLabel(chainId: number): string {
  return Number.isSafeInteger(chainId) && chainId > 0 ? String(chainId) : 'invalid'
}

function intLabel(value: number, max: number): string {
  return Number.isInteger(value) && value >= 0 && value <= max ? String(value) : 'invalid'
}

/** An endpoint label as `endpointLabel` makes it; anything that looks like a URL is cut to its host. */
function safeEndpoint(endpoint: string): string {
  if (/^[A-Za-z0-9.\-:[\]]{1,100}#[0-9]{1,3}$/.test(endpoint)) return endpoint
  try {
    return `${new URL(endpoint).host}#?`
  } catch {
    return 'unknown'
  }
}

// ---------------------------------------------------------------------------------------------------
// Recording functions

export type ObserveHttpRequestParameters = {
  /** Route pattern (`/networks/:chainId/suggestedGasFees`), or 'unmatched': never the raw path. */
  route: string
  method: string
  status: number
  durationSeconds: number
}

const httpChildren = new Map<
  string,
  client.Histogram.Internal<'http_route' | 'http_request_method' | 'http_response_status_code'>
>()

export function observeHttpRequest({
  route,
  method,
  status,
  durationSeconds,
}: ObserveHttpRequestParameters): void {
  const m = knownMethods.has(method) ? method : '_OTHER'
  const key = `${route} ${m} ${status}`
  let child = httpChildren.get(key)
  if (child === undefined) {
    child = httpDuration.labels({
      http_route: route,
      http_request_method: m,
      http_response_status_code: String(status),
    })
    httpChildren.set(key, child)
  }
  child.observe(durationSeconds)
}

/** A connection the API closed at once (its client or the server at its cap). */
export function recordShedConnection(reason: 'per-client' | 'total'): void {
  connectionsShed.inc({ reason })
}

/** API keys are on: their rejection counters start at zero. */
export function registerApiKeys(): void {
  apiKeyRejections.inc({ reason: 'missing' }, 0)
  apiKeyRejections.inc({ reason: 'unknown' }, 0)
}

/** A request refused for its API key (never labelled with the key). */
export function recordApiKeyRejection(reason: 'missing' | 'unknown'): void {
  apiKeyRejections.inc({ reason })
}

/** Where `feecast_http_open_connections` reads the count at scrape time (the API server). */
export function setOpenConnectionsSource(source: (() => number) | undefined): void {
  openConnectionsSource = source
}

type FeeEstimate = {
  confidence: number
  withinBlocks: number
  maxFeePerGasGwei: number
  maxPriorityFeePerGasGwei: number
  expectedFeePerGas: string
}

/** The prediction now served for a chain: sets the predicted-fee gauges. */
export function observePrediction(prediction: {
  chainId: number
  blockNumber: number
  estimates: readonly FeeEstimate[]
}): void {
  const chain_id = chainLabel(prediction.chainId)
  predictedBlock.set({ chain_id }, prediction.blockNumber)
  for (const e of prediction.estimates) {
    const labels = {
      chain_id,
      confidence: intLabel(e.confidence, 100),
      within_blocks: intLabel(e.withinBlocks, 10_000),
    }
    predictedMaxFee.set(labels, e.maxFeePerGasGwei)
    predictedTip.set(labels, e.maxPriorityFeePerGasGwei)
    predictedExpected.set(labels, Number(e.expectedFeePerGas) / 1e9)
  }
}

/** Where `feecast_prediction_age_seconds` reads the ages from at scrape time (the API's feed). */
export function setPredictionAgeSource(
  source: (() => Iterable<{ chainId: number; ageSeconds: number }>) | undefined,
): void {
  predictionAgeSource = source
}

/** Time one prediction took to compute (predictor). */
export function observePredictionDuration({ chainId, seconds }: { chainId: number; seconds: number }): void {
  predictionDuration.observe({ chain_id: chainLabel(chainId) }, seconds)
}

/** A block the sampler recorded (its freshness and head). */
export function observeBlock({
  chainId,
  number,
  timestamp,
}: {
  chainId: number
  number: number
  timestamp: number | null
}): void {
  const chain_id = chainLabel(chainId)
  headBlockNumber.set({ chain_id }, number)
  if (timestamp !== null) latestBlockTimestamp.set({ chain_id }, timestamp)
}

export type RpcOutcome = 'ok' | 'error' | 'timeout'

export type RecordRpcCallParameters = {
  chainId: number
  /** `endpointLabel(url, index)`: host#index. A URL given here is cut to its host. */
  endpoint: string
  outcome: RpcOutcome
  durationSeconds: number
}

/** One JSON-RPC call (sampler, collect): counted by outcome and timed. */
export function recordRpcCall({
  chainId,
  endpoint,
  outcome,
  durationSeconds,
}: RecordRpcCallParameters): void {
  const chain_id = chainLabel(chainId)
  const label = safeEndpoint(endpoint)
  rpcRequests.inc({
    chain_id,
    endpoint: label,
    outcome: outcome === 'ok' || outcome === 'timeout' ? outcome : 'error',
  })
  rpcDuration.observe({ chain_id, endpoint: label }, durationSeconds)
}

/** A JSON-RPC response cut off at the size cap (an endpoint sending too much, maybe on purpose). */
export function recordOversizedRpcResponse({
  chainId,
  endpoint,
}: {
  chainId: number
  endpoint: string
}): void {
  rpcOversized.inc({ chain_id: chainLabel(chainId), endpoint: safeEndpoint(endpoint) })
}

/**
 * A chain the process serves: its freshness bound, and its counters at zero so rates and panels have
 * data before the first event.
 */
export function registerChain({
  chainId,
  freshnessSeconds,
  baseFeeRuleKnown = true,
}: {
  chainId: number
  freshnessSeconds: number
  /** Whether feecast knows the chain's base-fee rule (then it starts out matching). */
  baseFeeRuleKnown?: boolean
}): void {
  const chain_id = chainLabel(chainId)
  freshnessBound.set({ chain_id }, freshnessSeconds)
  reorgs.inc({ chain_id }, 0)
  for (const reason of rejectionReasons) blocksRejected.inc({ chain_id, reason }, 0)
  if (baseFeeRuleKnown) baseFeeRuleMatching.set({ chain_id }, 1)
}

/** A block the sampler refused (each attempt). */
export function recordBlockRejected({ chainId, reason }: { chainId: number; reason: string }): void {
  blocksRejected.inc({
    chain_id: chainLabel(chainId),
    reason: rejectionReasons.has(reason) ? reason : 'other',
  })
}

/** Whether a chain's base fees follow its known rule. */
export function setBaseFeeRuleMatching({ chainId, matching }: { chainId: number; matching: boolean }): void {
  baseFeeRuleMatching.set({ chain_id: chainLabel(chainId) }, matching ? 1 : 0)
}

/** A reorganisation the sampler detected and repaired. */
export function recordReorg({ chainId, depth }: { chainId: number; depth: number }): void {
  const chain_id = chainLabel(chainId)
  reorgs.inc({ chain_id })
  reorgDepth.observe({ chain_id }, depth)
}

type CalibrationLabels = { chainId: number; confidence: number; withinBlocks: number }

const calibrationLabels = ({ chainId, confidence, withinBlocks }: CalibrationLabels) => ({
  chain_id: chainLabel(chainId),
  confidence: intLabel(confidence, 100),
  within_blocks: intLabel(withinBlocks, 10_000),
})

/** One past estimate scored against the realized blocks: covered or not. */
export function recordCalibrationScore(parameters: CalibrationLabels & { covered: boolean }): void {
  const labels = calibrationLabels(parameters)
  scored.inc(labels)
  if (parameters.covered) covered.inc(labels)
  else covered.inc(labels, 0)
}

/** The calibrator's recent realized coverage (0..1) for one chain, level and horizon. */
export function setCalibrationCoverage(parameters: CalibrationLabels & { coverage: number }): void {
  coverage.set(calibrationLabels(parameters), parameters.coverage)
}

/** The model in use; replaces the previous one. */
export function setModelInfo({ version, backend }: { version: string; backend: string }): void {
  modelInfo.reset()
  modelInfo.set({ version: version.slice(0, 64), backend: backend.slice(0, 32) }, 1)
}

/** Whether the embedded redis-server runs (a supervised child of this process). */
export function setEmbeddedRedisUp(up: boolean): void {
  if (up) {
    embeddedRedisRestarts.inc({ outcome: 'ok' }, 0)
    embeddedRedisRestarts.inc({ outcome: 'failed' }, 0)
  }
  embeddedRedisUp.set({ redis: 'embedded' }, up ? 1 : 0)
}

/** The embedded redis-server was restarted (ok) or a restart failed. */
export function recordEmbeddedRedisRestart(outcome: 'ok' | 'failed'): void {
  embeddedRedisRestarts.inc({ outcome })
}

/** The exposition text for GET /metrics. */
export function renderMetrics(): Promise<string> {
  return registry.metrics()
}

export const metricsContentType = registry.contentType

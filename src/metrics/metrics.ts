import { createRequire } from 'node:module'
import { isMainThread } from 'node:worker_threads'
import { confidenceLevels, horizons } from '@feecast/client'
import client from 'prom-client'
import { shownHost } from '../lib/redact.js'
import { metricNames as m } from './metricNames.js'
import { createRequestHistogram } from './requestHistogram.js'

/**
 * The one module that owns every metric definition, under the names of metricNames.ts (the table that
 * src/slo/ reads too). Other modules call the small functions below; none of them creates a metric of its
 * own. Every label value is guarded into its bounded set.
 */

export const registry = new client.Registry()
// Once, in the main thread, whose registry /metrics serves (a worker thread forwards what it records).
if (isMainThread) collectProcessMetrics(registry)

/**
 * prom-client's default metrics (process_*, nodejs_*) without nodejs_gc_duration_seconds. Its GC observer
 * wakes JavaScript after every collection, and under load the API collects every few hundred requests:
 * measured with wrk (interleaved, pinned), a bare node:http server cost 0.74 µs more CPU per request with
 * a GC observer (25.05 → 25.79) and 1.43 µs with all default metrics; 3 % and 6 % of a request. A long
 * pause still shows in nodejs_eventloop_lag_*, which the runbooks read.
 */
function collectProcessMetrics(register: client.Registry): void {
  // prom-client 15 has no switch for one default metric: its collectors are its own modules (pinned version).
  const require = createRequire(import.meta.url)
  const { metricsList } = require('prom-client/lib/defaultMetrics') as { metricsList: string[] }
  type Collector = (register: client.Registry, config: { eventLoopMonitoringPrecision: number }) => void
  for (const name of metricsList)
    if (name !== 'gc')
      (require(`prom-client/lib/metrics/${name}`) as Collector)(register, {
        eventLoopMonitoringPrecision: 10,
      })
}

/** A metric update made in a worker thread, for the main thread to apply: the function's name and arguments. */
export type ForwardedMetric = [name: string, args: unknown[]]

/** The functions below that a worker thread forwards, by name. */
const forwardableRecorders = new Map<string, (...args: never[]) => void>()
let forwardMetrics: ((updates: ForwardedMetric[]) => void) | undefined
let pendingMetrics: ForwardedMetric[] = []
let flushTimer: NodeJS.Timeout | undefined
/**
 * How long a worker's updates wait to be sent together: each message costs the worker a structured clone and
 * the main thread a wake-up (profiled: one message per microtask batch cost 2.2 ms of CPU per block), and a
 * scrape every few seconds does not see the difference.
 */
const forwardEveryMs = 100

/**
 * A recording function that the sampler and predictor call. In a worker thread (forwardMetricsTo) it does not
 * touch this thread's registry, which nothing serves: its calls are batched (one message per 100 ms at most)
 * and applied by the main thread (applyForwardedMetrics), whose /metrics serves them.
 */
function forwardable<A extends unknown[]>(name: string, record: (...args: A) => void): (...args: A) => void {
  forwardableRecorders.set(name, record as unknown as (...args: never[]) => void)
  return (...args: A) => {
    if (!forwardMetrics) return record(...args)
    if (pendingMetrics.length === 0) flushTimer = setTimeout(flushForwardedMetrics, forwardEveryMs).unref()
    pendingMetrics.push([name, args])
  }
}

function flushForwardedMetrics(): void {
  clearTimeout(flushTimer)
  const updates = pendingMetrics
  pendingMetrics = []
  if (updates.length > 0) forwardMetrics?.(updates)
}

/** In a worker thread: sends the sampler's and predictor's metric updates to the main thread through `post`. */
export function forwardMetricsTo(post: ((updates: ForwardedMetric[]) => void) | undefined): void {
  flushForwardedMetrics()
  forwardMetrics = post
}

/** In the main thread: applies a worker's forwarded updates to this registry (unknown names are ignored). */
export function applyForwardedMetrics(updates: readonly ForwardedMetric[]): void {
  for (const [name, args] of updates) {
    const record = forwardableRecorders.get(name) as ((...args: unknown[]) => void) | undefined
    record?.(...args)
  }
}

const httpBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5]
const rpcBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const computeBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

const httpDuration = createRequestHistogram({
  name: m.httpDuration,
  help: 'Duration of HTTP requests served by the API, by route pattern, method and status',
  labelNames: ['http_route', 'http_request_method', 'http_response_status_code'] as const,
  buckets: httpBuckets,
  registers: [registry],
})

const connectionsShed = new client.Counter({
  name: m.connectionsShed,
  help: 'Connections closed as soon as accepted: their client address (per-client) or the server (total) was at its cap',
  labelNames: ['reason'] as const,
  registers: [registry],
})
connectionsShed.inc({ reason: 'per-client' }, 0)
connectionsShed.inc({ reason: 'total' }, 0)

const apiKeyRejections = new client.Counter({
  name: m.apiKeyRejections,
  help: 'Requests refused with 401 while API keys are on: without a key (missing) or with one not configured (unknown)',
  labelNames: ['reason'] as const,
  registers: [registry],
})

let openConnectionsSource: (() => number) | undefined
new client.Gauge({
  name: m.openConnections,
  help: 'Connections the API holds open now',
  registers: [registry],
  collect() {
    this.reset()
    if (openConnectionsSource) this.set(openConnectionsSource())
  },
})

const feeLabels = ['chain_id', 'confidence', 'within_blocks'] as const
const predictedMaxFee = new client.Gauge({
  name: m.predictedMaxFee,
  help: 'Latest predicted maxFeePerGas (gwei) per chain, confidence level and horizon',
  labelNames: feeLabels,
  registers: [registry],
})
const predictedTip = new client.Gauge({
  name: m.predictedPriorityFee,
  help: 'Latest predicted maxPriorityFeePerGas (gwei) per chain, confidence level and horizon',
  labelNames: feeLabels,
  registers: [registry],
})
const predictedExpected = new client.Gauge({
  name: m.predictedExpectedFee,
  help: 'Latest expected fee paid per gas (gwei) per chain, confidence level and horizon',
  labelNames: feeLabels,
  registers: [registry],
})
const predictedBlock = new client.Gauge({
  name: m.predictedBlockNumber,
  help: 'Head block of the latest prediction served per chain',
  labelNames: ['chain_id'] as const,
  registers: [registry],
})

let predictionAgeSource: (() => Iterable<{ chainId: number; ageSeconds: number }>) | undefined
new client.Gauge({
  name: m.predictionAge,
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
  name: m.predictionDuration,
  help: 'Time to compute one prediction (features, model, calibration)',
  labelNames: ['chain_id'] as const,
  buckets: computeBuckets,
  registers: [registry],
})

const latestBlockTimestamp = new client.Gauge({
  name: m.latestBlockTimestamp,
  help: 'Timestamp (unix seconds) of the newest block the sampler has recorded per chain',
  labelNames: ['chain_id'] as const,
  registers: [registry],
})
const headBlockNumber = new client.Gauge({
  name: m.headBlockNumber,
  help: 'Number of the newest block the sampler has recorded per chain',
  labelNames: ['chain_id'] as const,
  registers: [registry],
})

const rpcRequests = new client.Counter({
  name: m.rpcRequests,
  help: 'JSON-RPC calls per chain, endpoint (host#index, never the URL) and outcome',
  labelNames: ['chain_id', 'endpoint', 'outcome'] as const,
  registers: [registry],
})
const rpcDuration = new client.Histogram({
  name: m.rpcDuration,
  help: 'JSON-RPC call latency per chain and endpoint',
  labelNames: ['chain_id', 'endpoint'] as const,
  buckets: rpcBuckets,
  registers: [registry],
})

const rpcOversized = new client.Counter({
  name: m.rpcOversized,
  help: 'JSON-RPC responses whose body passed RPC_MAX_RESPONSE_BYTES and whose read was cut off',
  labelNames: ['chain_id', 'endpoint'] as const,
  registers: [registry],
})

const freshnessBound = new client.Gauge({
  name: m.freshnessBound,
  help: "Age (seconds) beyond which a chain's data counts as stale",
  labelNames: ['chain_id'] as const,
  registers: [registry],
})
const reorgs = new client.Counter({
  name: m.reorgs,
  help: 'Chain reorganisations detected per chain',
  labelNames: ['chain_id'] as const,
  registers: [registry],
})
const blocksRejected = new client.Counter({
  name: m.blocksRejected,
  help: 'Blocks refused by the checks of what an endpoint says (each attempt), by reason',
  labelNames: ['chain_id', 'reason'] as const,
  registers: [registry],
})
const baseFeeRuleMatching = new client.Gauge({
  name: m.baseFeeRuleMatching,
  help: "1 while a chain's base fees follow its known rule, 0 once they stopped (followed with low trust)",
  labelNames: ['chain_id'] as const,
  registers: [registry],
})
const headSubscriptionLive = new client.Gauge({
  name: m.headSubscriptionLive,
  help: '1 while new heads are pushed over the WebSocket endpoint (eth_subscribe newHeads), 0 while the sampler polls',
  labelNames: ['chain_id', 'endpoint'] as const,
  registers: [registry],
})
const headSubscriptionEnded = new client.Counter({
  name: m.headSubscriptionEnded,
  help: 'New-head subscriptions lost (socket closed, stalled, garbage) or refused by the endpoint',
  labelNames: ['chain_id', 'endpoint'] as const,
  registers: [registry],
})
const rejectionReasons = new Set([
  'timestamp',
  'base-fee',
  'base-fee-rule',
  'blob-gas',
  'blob-rule',
  'reorg-too-deep',
])

const reorgDepth = new client.Histogram({
  name: m.reorgDepth,
  help: 'Depth (blocks rewritten) of detected reorganisations',
  labelNames: ['chain_id'] as const,
  buckets: [1, 2, 3, 5, 10, 20, 64],
  registers: [registry],
})

const coverage = new client.Gauge({
  name: m.calibrationCoverage,
  help: 'Recent realized coverage of the estimates per chain, confidence level and horizon (target: confidence/100)',
  labelNames: feeLabels,
  registers: [registry],
})
const scored = new client.Counter({
  name: m.calibrationScored,
  help: 'Past estimates scored against realized blocks',
  labelNames: feeLabels,
  registers: [registry],
})
const covered = new client.Counter({
  name: m.calibrationCovered,
  help: 'Scored estimates that held (included in time and maxFee above every base fee)',
  labelNames: feeLabels,
  registers: [registry],
})

const predictedMaxBlobFee = new client.Gauge({
  name: m.predictedMaxFeePerBlobGas,
  help: 'Latest predicted maxFeePerBlobGas (gwei) per blob-carrying chain, confidence level and horizon',
  labelNames: feeLabels,
  registers: [registry],
})
const pendingBlobBaseFee = new client.Gauge({
  name: m.pendingBlobBaseFee,
  help: 'Blob base fee (wei) of the next block of the latest prediction served, per blob-carrying chain',
  labelNames: ['chain_id'] as const,
  registers: [registry],
})
const blobFeeLabels = ['chain_id', 'regime', 'confidence', 'within_blocks'] as const
const blobCoverage = new client.Gauge({
  name: m.blobCalibrationCoverage,
  help: 'Recent realized coverage of maxFeePerBlobGas per chain, regime, confidence level and horizon (target: confidence/100)',
  labelNames: blobFeeLabels,
  registers: [registry],
})
const blobScored = new client.Counter({
  name: m.blobCalibrationScored,
  help: 'Past maxFeePerBlobGas estimates scored against realized blob base fees',
  labelNames: blobFeeLabels,
  registers: [registry],
})
const blobCovered = new client.Counter({
  name: m.blobCalibrationCovered,
  help: 'Scored maxFeePerBlobGas estimates that stayed at or above every blob base fee of their horizon',
  labelNames: blobFeeLabels,
  registers: [registry],
})
const blobModelInfo = new client.Gauge({
  name: m.blobModelInfo,
  help: 'The blob-fee model in use (always 1): its version and TF.js backend',
  labelNames: ['version', 'backend'] as const,
  registers: [registry],
})

const modelInfo = new client.Gauge({
  name: m.modelInfo,
  help: 'The model in use (always 1): its version and TF.js backend',
  labelNames: ['version', 'backend'] as const,
  registers: [registry],
})

const embeddedRedisUp = new client.Gauge({
  name: m.embeddedRedisUp,
  help: 'Whether the embedded redis-server is running (only exported when feecast runs one)',
  // A labelled gauge has no series until set: a service on an external Redis exports none (not a 0).
  labelNames: ['redis'] as const,
  registers: [registry],
})
const embeddedRedisRestarts = new client.Counter({
  name: m.embeddedRedisRestarts,
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

const knownConfidences = new Set<number>(confidenceLevels)
const knownHorizons = new Set<number>(horizons)

/** A confidence level or horizon of the Prediction contract (@feecast/client), else 'invalid'. */
const confidenceLabel = (confidence: number): string =>
  knownConfidences.has(confidence) ? String(confidence) : 'invalid'
const horizonLabel = (withinBlocks: number): string =>
  knownHorizons.has(withinBlocks) ? String(withinBlocks) : 'invalid'

/** An endpoint label as `endpointLabel` makes it; anything that looks like a URL is cut to its host. */
function safeEndpoint(endpoint: string): string {
  if (/^[A-Za-z0-9.\-:[\]*]{1,100}#[0-9]{1,3}$/.test(endpoint)) return endpoint
  try {
    return `${shownHost(new URL(endpoint))}#?`
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

/** route → method → status → observer: found without building a key (this runs on every request). */
const httpObservers = new Map<string, Map<string, Map<number, (seconds: number) => void>>>()

export function observeHttpRequest({
  route,
  method,
  status,
  durationSeconds,
}: ObserveHttpRequestParameters): void {
  const m = knownMethods.has(method) ? method : '_OTHER'
  let byMethod = httpObservers.get(route)
  if (byMethod === undefined) {
    byMethod = new Map()
    httpObservers.set(route, byMethod)
  }
  let byStatus = byMethod.get(m)
  if (byStatus === undefined) {
    byStatus = new Map()
    byMethod.set(m, byStatus)
  }
  let observe = byStatus.get(status)
  if (observe === undefined) {
    observe = httpDuration.child({
      http_route: route,
      http_request_method: m,
      http_response_status_code: String(status),
    })
    byStatus.set(status, observe)
  }
  observe(durationSeconds)
}

export type RequestOutcomes = {
  /** Requests answered on the route since this process started. */
  answered: number
  /** Of those, answered with a 5xx. */
  serverErrors: number
  /** Answered within each bound of the duration histogram (seconds → count). */
  within: ReadonlyMap<number, number>
}

/** What this process has answered on `route` (a route pattern) since it started: the page's objectives. */
export function requestOutcomes(route: string): RequestOutcomes {
  let answered = 0
  let serverErrors = 0
  const within = new Map<number, number>(httpBuckets.map((b) => [b, 0]))
  for (const s of httpDuration.series()) {
    if (s.labels.http_route !== route) continue
    answered += s.count
    if (s.labels.http_response_status_code?.startsWith('5')) serverErrors += s.count
    let cumulative = 0
    for (const [i, bound] of s.bounds.entries()) {
      cumulative += s.counts[i] ?? 0
      within.set(bound, (within.get(bound) ?? 0) + cumulative)
    }
  }
  return { answered, serverErrors, within }
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
  maxFeePerBlobGasGwei?: number | undefined
}

/** The prediction now served for a chain: sets the predicted-fee gauges. */
export function observePrediction(prediction: {
  chainId: number
  blockNumber: number
  estimates: readonly FeeEstimate[]
  pendingBlobBaseFeePerGas?: string | undefined
}): void {
  const chain_id = chainLabel(prediction.chainId)
  predictedBlock.set({ chain_id }, prediction.blockNumber)
  if (prediction.pendingBlobBaseFeePerGas !== undefined)
    pendingBlobBaseFee.set({ chain_id }, Number(prediction.pendingBlobBaseFeePerGas))
  for (const e of prediction.estimates) {
    const labels = {
      chain_id,
      confidence: confidenceLabel(e.confidence),
      within_blocks: horizonLabel(e.withinBlocks),
    }
    predictedMaxFee.set(labels, e.maxFeePerGasGwei)
    predictedTip.set(labels, e.maxPriorityFeePerGasGwei)
    predictedExpected.set(labels, Number(e.expectedFeePerGas) / 1e9)
    if (e.maxFeePerBlobGasGwei !== undefined) predictedMaxBlobFee.set(labels, e.maxFeePerBlobGasGwei)
  }
}

/** Where `feecast_prediction_age_seconds` reads the ages from at scrape time (the API's feed). */
export function setPredictionAgeSource(
  source: (() => Iterable<{ chainId: number; ageSeconds: number }>) | undefined,
): void {
  predictionAgeSource = source
}

/** Time one prediction took to compute (predictor). */
export const observePredictionDuration = forwardable(
  'observePredictionDuration',
  ({ chainId, seconds }: { chainId: number; seconds: number }): void => {
    predictionDuration.observe({ chain_id: chainLabel(chainId) }, seconds)
  },
)

/** A block the sampler recorded (its freshness and head). */
export const observeBlock = forwardable(
  'observeBlock',
  ({ chainId, number, timestamp }: { chainId: number; number: number; timestamp: number | null }): void => {
    const chain_id = chainLabel(chainId)
    headBlockNumber.set({ chain_id }, number)
    if (timestamp !== null) latestBlockTimestamp.set({ chain_id }, timestamp)
  },
)

export type RpcOutcome = 'ok' | 'error' | 'timeout'

export type RecordRpcCallParameters = {
  chainId: number
  /** `endpointLabel(url, index)`: host#index. A URL given here is cut to its host. */
  endpoint: string
  outcome: RpcOutcome
  durationSeconds: number
}

/** One JSON-RPC call (sampler, collect): counted by outcome and timed. */
export const recordRpcCall = forwardable(
  'recordRpcCall',
  ({ chainId, endpoint, outcome, durationSeconds }: RecordRpcCallParameters): void => {
    const chain_id = chainLabel(chainId)
    const label = safeEndpoint(endpoint)
    rpcRequests.inc({
      chain_id,
      endpoint: label,
      outcome: outcome === 'ok' || outcome === 'timeout' ? outcome : 'error',
    })
    rpcDuration.observe({ chain_id, endpoint: label }, durationSeconds)
  },
)

/** A JSON-RPC response cut off at the size cap (an endpoint sending too much, maybe on purpose). */
export const recordOversizedRpcResponse = forwardable(
  'recordOversizedRpcResponse',
  ({ chainId, endpoint }: { chainId: number; endpoint: string }): void => {
    rpcOversized.inc({ chain_id: chainLabel(chainId), endpoint: safeEndpoint(endpoint) })
  },
)

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
export const recordBlockRejected = forwardable(
  'recordBlockRejected',
  ({ chainId, reason }: { chainId: number; reason: string }): void => {
    blocksRejected.inc({
      chain_id: chainLabel(chainId),
      reason: rejectionReasons.has(reason) ? reason : 'other',
    })
  },
)

/** Whether a chain's base fees follow its known rule. */
export const setBaseFeeRuleMatching = forwardable(
  'setBaseFeeRuleMatching',
  ({ chainId, matching }: { chainId: number; matching: boolean }): void => {
    baseFeeRuleMatching.set({ chain_id: chainLabel(chainId) }, matching ? 1 : 0)
  },
)

/** The sampler's new-head subscription went live or ended (`endpoint`: its label, host#index, never a URL). */
export const setHeadSubscription = forwardable(
  'setHeadSubscription',
  ({ chainId, endpoint, live }: { chainId: number; endpoint: string; live: boolean }): void => {
    const labels = { chain_id: chainLabel(chainId), endpoint }
    headSubscriptionLive.set(labels, live ? 1 : 0)
    if (!live) headSubscriptionEnded.inc(labels)
  },
)

/** A reorganisation the sampler detected and repaired. */
export const recordReorg = forwardable(
  'recordReorg',
  ({ chainId, depth }: { chainId: number; depth: number }): void => {
    const chain_id = chainLabel(chainId)
    reorgs.inc({ chain_id })
    reorgDepth.observe({ chain_id }, depth)
  },
)

type CalibrationLabels = { chainId: number; confidence: number; withinBlocks: number }

const calibrationLabels = ({ chainId, confidence, withinBlocks }: CalibrationLabels) => ({
  chain_id: chainLabel(chainId),
  confidence: confidenceLabel(confidence),
  within_blocks: horizonLabel(withinBlocks),
})

/** One past estimate scored against the realized blocks: covered or not. */
export const recordCalibrationScore = forwardable(
  'recordCalibrationScore',
  (parameters: CalibrationLabels & { covered: boolean }): void => {
    const labels = calibrationLabels(parameters)
    scored.inc(labels)
    if (parameters.covered) covered.inc(labels)
    else covered.inc(labels, 0)
  },
)

/** The calibrator's recent realized coverage (0..1) for one chain, level and horizon. */
export const setCalibrationCoverage = forwardable(
  'setCalibrationCoverage',
  (parameters: CalibrationLabels & { coverage: number }): void => {
    coverage.set(calibrationLabels(parameters), parameters.coverage)
  },
)

type BlobCalibrationLabels = CalibrationLabels & { regime: 'priced' | 'floor' }

const blobCalibrationLabels = (parameters: BlobCalibrationLabels) => ({
  ...calibrationLabels(parameters),
  regime: parameters.regime,
})

/** One past maxFeePerBlobGas scored against the realized blob base fees: covered or not. */
export const recordBlobCalibrationScore = forwardable(
  'recordBlobCalibrationScore',
  (parameters: BlobCalibrationLabels & { covered: boolean }): void => {
    const labels = blobCalibrationLabels(parameters)
    blobScored.inc(labels)
    blobCovered.inc(labels, parameters.covered ? 1 : 0)
  },
)

/** The blob calibrator's recent realized coverage (0..1) for one chain, regime, level and horizon. */
export const setBlobCalibrationCoverage = forwardable(
  'setBlobCalibrationCoverage',
  (parameters: BlobCalibrationLabels & { coverage: number }): void => {
    blobCoverage.set(blobCalibrationLabels(parameters), parameters.coverage)
  },
)

/** The blob-fee model in use; replaces the previous one. */
export const setBlobModelInfo = forwardable(
  'setBlobModelInfo',
  ({ version, backend }: { version: string; backend: string }): void => {
    blobModelInfo.reset()
    blobModelInfo.set({ version, backend }, 1)
  },
)

/** The model in use; replaces the previous one. */
export const setModelInfo = forwardable(
  'setModelInfo',
  ({ version, backend }: { version: string; backend: string }): void => {
    modelInfo.reset()
    modelInfo.set({ version: version.slice(0, 64), backend: backend.slice(0, 32) }, 1)
  },
)

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

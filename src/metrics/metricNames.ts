/**
 * The one table of feecast's metric names. src/metrics/metrics.ts defines every metric under these
 * names, and src/slo/ generates the recording rules, alerts and dashboards that read them, so a rename
 * is one line here (followed by `npm run generate`). Every label has a bounded set of values: chain ids
 * of configured chains, confidence levels, horizons, endpoint labels (host#index: never a URL), route
 * patterns (never raw paths), HTTP methods and status codes. Beside these, prom-client's default Node
 * metrics (process_*, nodejs_*).
 */
export const metricNames = {
  /** histogram; http_route, http_request_method, http_response_status_code */
  httpDuration: 'http_server_request_duration_seconds',
  /** gauges; chain_id, confidence, within_blocks: one per fee kind (see predictedFeeMetric) */
  predictedMaxFee: 'feecast_predicted_max_fee_per_gas_gwei',
  predictedPriorityFee: 'feecast_predicted_max_priority_fee_per_gas_gwei',
  predictedExpectedFee: 'feecast_predicted_expected_fee_per_gas_gwei',
  /** gauge; chain_id: head block of the prediction served */
  predictedBlockNumber: 'feecast_predicted_block_number',
  /** gauge, set at scrape; chain_id: now - head block time of the prediction served */
  predictionAge: 'feecast_prediction_age_seconds',
  /** histogram; chain_id: time to compute one prediction */
  predictionDuration: 'feecast_prediction_duration_seconds',
  /** gauge; chain_id: unix seconds of the newest sampled block */
  latestBlockTimestamp: 'feecast_latest_block_timestamp_seconds',
  /** gauge; chain_id */
  headBlockNumber: 'feecast_head_block_number',
  /** gauge; chain_id: the chain's freshness bound (seconds) */
  freshnessBound: 'feecast_chain_freshness_bound_seconds',
  /** counter; chain_id, endpoint, outcome (ok|error|timeout) */
  rpcRequests: 'feecast_rpc_requests_total',
  /** histogram; chain_id, endpoint */
  rpcDuration: 'feecast_rpc_request_duration_seconds',
  /** counter; chain_id */
  reorgs: 'feecast_reorgs_total',
  /** histogram; chain_id: blocks rewritten */
  reorgDepth: 'feecast_reorg_depth_blocks',
  /** gauge; chain_id, confidence, within_blocks: recent live coverage */
  calibrationCoverage: 'feecast_calibration_coverage_ratio',
  /** counters; chain_id, confidence, within_blocks */
  calibrationScored: 'feecast_calibration_scored_total',
  calibrationCovered: 'feecast_calibration_covered_total',
  /** gauge; chain_id, confidence, within_blocks: latest predicted maxFeePerBlobGas (blob-carrying chains) */
  predictedMaxFeePerBlobGas: 'feecast_predicted_max_fee_per_blob_gas_gwei',
  /** gauge; chain_id: the exact blob base fee of the next block (wei) */
  pendingBlobBaseFee: 'feecast_pending_blob_base_fee_wei',
  /** gauge; chain_id, regime (priced|floor), confidence, within_blocks: recent live coverage of maxFeePerBlobGas */
  blobCalibrationCoverage: 'feecast_blob_calibration_coverage_ratio',
  /** counters; chain_id, regime, confidence, within_blocks */
  blobCalibrationScored: 'feecast_blob_calibration_scored_total',
  blobCalibrationCovered: 'feecast_blob_calibration_covered_total',
  /** gauge = 1; version, backend: the blob-fee model in use */
  blobModelInfo: 'feecast_blob_model_info',
  /** gauge = 1; version, backend */
  modelInfo: 'feecast_model_info',
  /** counter; chain_id, reason (timestamp, base-fee, base-fee-rule, blob-gas, blob-rule) */
  blocksRejected: 'feecast_blocks_rejected_total',
  /** gauge; chain_id, endpoint: 1 while new heads are pushed over that WebSocket endpoint, 0 while polling */
  headSubscriptionLive: 'feecast_head_subscription_live',
  /** counter; chain_id, endpoint: new-head subscriptions lost (closed, stalled, garbage) or refused */
  headSubscriptionEnded: 'feecast_head_subscription_ended_total',
  /** gauge; chain_id: 1 while base fees follow the chain's known rule, 0 once they stopped, absent: rule unknown */
  baseFeeRuleMatching: 'feecast_base_fee_rule_matching',
  /** counter; reason (per-client, total): connections closed as soon as accepted */
  connectionsShed: 'feecast_http_connections_shed_total',
  /** gauge, set at scrape: connections the API holds open */
  openConnections: 'feecast_http_open_connections',
  /** counter; reason (missing, unknown): never the key */
  apiKeyRejections: 'feecast_api_key_rejections_total',
  /** counter; chain_id, endpoint */
  rpcOversized: 'feecast_rpc_oversized_responses_total',
  /** gauge; redis="embedded": 1 while the embedded redis-server runs */
  embeddedRedisUp: 'feecast_embedded_redis_up',
  /** counter; outcome (ok, failed) */
  embeddedRedisRestarts: 'feecast_embedded_redis_restarts_total',
} as const

/** The fee kinds the predictor exports, each its own gauge. */
export const feeKinds = ['max_fee', 'priority_fee', 'expected'] as const

export const predictedFeeMetric: Record<(typeof feeKinds)[number], string> = {
  max_fee: metricNames.predictedMaxFee,
  priority_fee: metricNames.predictedPriorityFee,
  expected: metricNames.predictedExpectedFee,
}

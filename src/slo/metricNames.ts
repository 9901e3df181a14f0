/**
 * The metric names the SLO rules and dashboards read, as agreed for src/metrics/ (the one module that
 * defines them). Kept in one table so a rename there is a one-line change here, followed by
 * `npm run generate`.
 */
export const metricNames = {
  /** histogram; http_route, http_request_method, http_response_status_code */
  httpDuration: 'http_server_request_duration_seconds',
  /** gauge; chain_id: unix seconds of the newest sampled block */
  latestBlockTimestamp: 'feecast_latest_block_timestamp_seconds',
  /** gauge; chain_id: the chain's freshness bound (seconds) */
  freshnessBound: 'feecast_chain_freshness_bound_seconds',
  /** gauge; chain_id */
  headBlockNumber: 'feecast_head_block_number',
  /** counter; chain_id, endpoint, outcome (ok|error|timeout) */
  rpcRequests: 'feecast_rpc_requests_total',
  /** histogram; chain_id, endpoint */
  rpcDuration: 'feecast_rpc_request_duration_seconds',
  /** counter; chain_id */
  reorgs: 'feecast_reorgs_total',
  /** gauges; chain_id, confidence, within_blocks: one per fee kind (see predictedFeeMetric) */
  predictedMaxFee: 'feecast_predicted_max_fee_per_gas_gwei',
  predictedPriorityFee: 'feecast_predicted_max_priority_fee_per_gas_gwei',
  predictedExpectedFee: 'feecast_predicted_expected_fee_per_gas_gwei',
  /** histogram */
  predictionDuration: 'feecast_prediction_duration_seconds',
  /** gauge = 1; version, backend */
  modelInfo: 'feecast_model_info',
  /** counters; chain_id, confidence, within_blocks */
  calibrationScored: 'feecast_calibration_scored_total',
  calibrationCovered: 'feecast_calibration_covered_total',
  /** gauge; chain_id, confidence, within_blocks: recent live coverage */
  calibrationCoverage: 'feecast_calibration_coverage_ratio',
  /** counter; chain_id, reason (timestamp, base-fee, base-fee-rule) */
  blocksRejected: 'feecast_blocks_rejected_total',
  /** gauge; chain_id: 1 while base fees follow the chain's known rule */
  baseFeeRuleMatching: 'feecast_base_fee_rule_matching',
  /** counter; reason (per-client, total) */
  connectionsShed: 'feecast_http_connections_shed_total',
  /** counter; chain_id, endpoint */
  rpcOversized: 'feecast_rpc_oversized_responses_total',
  /** gauge; redis="embedded" */
  embeddedRedisUp: 'feecast_embedded_redis_up',
  /** counter; outcome (ok, failed) */
  embeddedRedisRestarts: 'feecast_embedded_redis_restarts_total',
  /** counter; reason (missing, unknown) */
  apiKeyRejections: 'feecast_api_key_rejections_total',
} as const

/** The scrape job of the feecast targets. */
export const feecastJob = 'feecast'

/** The fee kinds the predictor exports, each its own gauge. */
export const feeKinds = ['max_fee', 'priority_fee', 'expected'] as const

export const predictedFeeMetric: Record<(typeof feeKinds)[number], string> = {
  max_fee: metricNames.predictedMaxFee,
  priority_fee: metricNames.predictedPriorityFee,
  expected: metricNames.predictedExpectedFee,
}

/** The confidence levels (percent) and horizons (blocks) the API answers by default. */
export const confidenceLevels = [50, 70, 90, 95, 99] as const
export const horizons = [1, 3, 10] as const

import { describe, expect, it } from 'vitest'
import { metricNames } from './metricNames.js'
import {
  observeBlock,
  observeHttpRequest,
  observePrediction,
  observePredictionDuration,
  recordCalibrationScore,
  recordReorg,
  recordRpcCall,
  registry,
  renderMetrics,
  setCalibrationCoverage,
  setModelInfo,
  setPredictionAgeSource,
} from './metrics.js'

describe('metrics', () => {
  it('defines every metric of the list, with its labels', async () => {
    observeHttpRequest({ route: '/predict', method: 'GET', status: 200, durationSeconds: 0.003 })
    observePrediction({
      chainId: 1,
      blockNumber: 100,
      estimates: [
        {
          confidence: 90,
          withinBlocks: 3,
          maxFeePerGasGwei: 30,
          maxPriorityFeePerGasGwei: 1.5,
          expectedFeePerGas: '21500000000',
        },
      ],
    })
    observePredictionDuration({ chainId: 1, seconds: 0.012 })
    observeBlock({ chainId: 1, number: 100, timestamp: 1_700_000_000 })
    recordRpcCall({ chainId: 1, endpoint: 'mainnet.infura.io#0', outcome: 'ok', durationSeconds: 0.2 })
    recordReorg({ chainId: 1, depth: 2 })
    recordCalibrationScore({ chainId: 1, confidence: 90, withinBlocks: 3, covered: true })
    recordCalibrationScore({ chainId: 1, confidence: 90, withinBlocks: 3, covered: false })
    setCalibrationCoverage({ chainId: 1, confidence: 90, withinBlocks: 3, coverage: 0.91 })
    setModelInfo({ version: 'v1', backend: 'wasm' })
    setPredictionAgeSource(() => [{ chainId: 1, ageSeconds: 4.5 }])
    const text = await renderMetrics()
    setPredictionAgeSource(undefined)
    for (const line of [
      'http_server_request_duration_seconds_bucket{le="0.005",http_route="/predict",http_request_method="GET",http_response_status_code="200"} 1',
      'feecast_predicted_max_fee_per_gas_gwei{chain_id="1",confidence="90",within_blocks="3"} 30',
      'feecast_predicted_max_priority_fee_per_gas_gwei{chain_id="1",confidence="90",within_blocks="3"} 1.5',
      'feecast_predicted_expected_fee_per_gas_gwei{chain_id="1",confidence="90",within_blocks="3"} 21.5',
      'feecast_predicted_block_number{chain_id="1"} 100',
      'feecast_prediction_age_seconds{chain_id="1"} 4.5',
      'feecast_prediction_duration_seconds_count{chain_id="1"} 1',
      'feecast_latest_block_timestamp_seconds{chain_id="1"} 1700000000',
      'feecast_head_block_number{chain_id="1"} 100',
      'feecast_rpc_requests_total{chain_id="1",endpoint="mainnet.infura.io#0",outcome="ok"} 1',
      'feecast_rpc_request_duration_seconds_count{chain_id="1",endpoint="mainnet.infura.io#0"} 1',
      'feecast_reorgs_total{chain_id="1"} 1',
      'feecast_calibration_scored_total{chain_id="1",confidence="90",within_blocks="3"} 2',
      'feecast_calibration_covered_total{chain_id="1",confidence="90",within_blocks="3"} 1',
      'feecast_calibration_coverage_ratio{chain_id="1",confidence="90",within_blocks="3"} 0.91',
      'feecast_model_info{version="v1",backend="wasm"} 1',
    ])
      expect(text).toContain(line)
    for (const le of ['0.005', '0.01', '0.025', '0.05', '0.1', '0.2', '0.5', '1'])
      expect(text).toContain(`http_server_request_duration_seconds_bucket{le="${le}",`)
    expect(text).toContain('nodejs_eventloop_lag_seconds')
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds')
    expect(text).toContain('process_resident_memory_bytes')
    expect(text).toContain('process_cpu_seconds_total')
    expect(text).toContain('nodejs_heap_size_used_bytes')
    // Left out: its GC observer costs the request path (collectProcessMetrics).
    expect(text).not.toContain('nodejs_gc_duration_seconds')
  })

  it('exports exactly the metrics of the name table (beside the default Node ones)', async () => {
    const defined = registry
      .getMetricsAsArray()
      .map((metric) => metric.name)
      .filter((name) => !name.startsWith('process_') && !name.startsWith('nodejs_'))
    expect(defined.sort()).toEqual(Object.values(metricNames).sort())
  })

  it('never lets a URL or an unbounded value into a label', async () => {
    recordRpcCall({
      chainId: 5,
      endpoint: 'https://mainnet.infura.io/v3/SECRETKEY123',
      outcome: 'error',
      durationSeconds: 1,
    })
    recordRpcCall({
      chainId: 5,
      endpoint: 'wss://user:pw@host.example:8546/x?k=SECRET',
      outcome: 'weird' as never,
      durationSeconds: 1,
    })
    observeHttpRequest({ route: 'unmatched', method: 'BREW', status: 400, durationSeconds: 0 })
    observeBlock({ chainId: Number.NaN, number: 1, timestamp: null })
    const text = await renderMetrics()
    expect(text).not.toContain('SECRET')
    expect(text).not.toContain('pw@')
    expect(text).toContain(
      'feecast_rpc_requests_total{chain_id="5",endpoint="mainnet.infura.io#?",outcome="error"} 1',
    )
    expect(text).toContain('endpoint="host.example:8546#?",outcome="error"')
    expect(text).toContain('http_request_method="_OTHER"')
    expect(text).toContain('feecast_head_block_number{chain_id="invalid"} 1')
    // Confidence levels and horizons outside the Prediction contract's never become label values.
    setCalibrationCoverage({ chainId: 1, confidence: 42, withinBlocks: 7, coverage: 0.5 })
    expect(await renderMetrics()).toContain(
      'feecast_calibration_coverage_ratio{chain_id="1",confidence="invalid",within_blocks="invalid"} 0.5',
    )
  })

  it('keeps one model info series', async () => {
    setModelInfo({ version: 'a', backend: 'cpu' })
    setModelInfo({ version: 'b', backend: 'wasm' })
    const info = (await registry.getSingleMetricAsString('feecast_model_info'))
      .split('\n')
      .filter((l) => !l.startsWith('#'))
    expect(info).toEqual(['feecast_model_info{version="b",backend="wasm"} 1'])
  })
})

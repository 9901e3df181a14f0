import { describe, expect, it } from 'vitest'
import { predictionFixture } from '../../test/support/predictionFixture.js'
import { mainnetBlobSchedule } from '../chains/blobSchedule.js'
import { gasPerBlob } from '../fees/blobGas.js'
import { blobRandomWalkForecaster } from '../model/blobRandomWalkForecaster.js'
import { createBlobCalibrationState } from './blobCalibration.js'
import { buildBlobPrediction } from './buildBlobPrediction.js'
import { withBlobPrediction } from './withBlobPrediction.js'

describe('withBlobPrediction', () => {
  const prediction = predictionFixture({ chainId: 1, blockNumber: 300 })

  it('adds nothing without a blob prediction (a chain without blobs)', () => {
    expect(withBlobPrediction(prediction, null)).toBe(prediction)
  })

  it("fills every estimate's maxFeePerBlobGas from the blob part, and the next fee and forecast", () => {
    const t = 1_766_000_000
    const records = Array.from({ length: 300 }, (_, i) => ({
      number: i + 1,
      timestamp: t + 12 * i,
      baseFeePerGas: 1_000_000_000n,
      blobGasUsed: BigInt(i % 16) * gasPerBlob,
      excessBlobGas: 300_000_000n,
    }))
    const blob = buildBlobPrediction({
      records: records.map((r, i) => ({ ...r, excessBlobGas: r.excessBlobGas + BigInt(i) * 1000n })),
      schedule: mainnetBlobSchedule,
      forecaster: blobRandomWalkForecaster(),
      calibration: createBlobCalibrationState(),
      horizons: [1, 2, 3, 5, 10, 20],
    })
    expect(blob).not.toBeNull()
    const merged = withBlobPrediction(prediction, blob)
    expect(merged.pendingBlobBaseFeePerGas).toBe(blob!.nextBlobBaseFeePerGas.toString())
    expect(merged.blobBaseFeeForecast?.length).toBe(blob!.blobBaseFeeForecast.length)
    for (const e of merged.estimates) {
      const cap = blob!.estimates.find(
        (b) => b.confidence === e.confidence && b.withinBlocks === e.withinBlocks,
      )
      expect(e.maxFeePerBlobGas).toBe(cap!.maxFeePerBlobGas.toString())
      expect(e.maxFeePerBlobGasGwei).toBe(Number(cap!.maxFeePerBlobGas) / 1e9)
    }
  })

  it('lowers the trust one step, saying why, when blob inputs lie outside the trained range', () => {
    const t = 1_766_000_000
    const records = Array.from({ length: 300 }, (_, i) => ({
      number: i + 1,
      timestamp: t + 12 * i,
      baseFeePerGas: 1_000_000_000n,
      blobGasUsed: BigInt(i % 16) * gasPerBlob,
      excessBlobGas: 300_000_000n + BigInt(i) * 1000n,
    }))
    const walk = blobRandomWalkForecaster()
    const build = (outside: number) =>
      buildBlobPrediction({
        records,
        schedule: mainnetBlobSchedule,
        forecaster: { ...walk, inputsOutsideRange: () => outside },
        calibration: createBlobCalibrationState(),
      })
    const high = { ...prediction, trust: { label: 'high' as const, reasons: ['fresh data'] } }
    expect(withBlobPrediction(high, build(0)).trust).toEqual(high.trust)
    const doubted = withBlobPrediction(high, build(3)).trust
    expect(doubted.label).toBe('medium')
    expect(doubted.reasons).toEqual(['fresh data', expect.stringMatching(/^3 blob input\(s\) outside/)])
    const medium = { ...prediction, trust: { label: 'medium' as const, reasons: [] } }
    expect(withBlobPrediction(medium, build(1)).trust.label).toBe('low')
  })
})

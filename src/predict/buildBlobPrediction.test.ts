import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { bpo1Time, syntheticBlobRows } from '../../test/helpers/blobHistory.js'
import { mainnetBlobSchedule } from '../chains/blobSchedule.js'
import { BlobGasError } from '../fees/errors.js'
import { parseHistoryCsv } from '../history/historyCsv.js'
import { blobRandomWalkForecaster } from '../model/blobRandomWalkForecaster.js'
import { createBlobCalibrationState } from './blobCalibration.js'
import { buildBlobPrediction } from './buildBlobPrediction.js'

const schedule = mainnetBlobSchedule
const forecaster = blobRandomWalkForecaster()
// Real mainnet blocks (Chainscore Labs, score-da dataset, CC BY 4.0): see test/fixtures/blobs/README.md.
const fixture = parseHistoryCsv({
  text: readFileSync(
    new URL('../../test/fixtures/blobs/mainnet-blob-transitions.csv', import.meta.url),
    'utf8',
  ),
}).rows

describe('buildBlobPrediction', () => {
  it('prices the next block exactly and caps the next N blocks, monotone in confidence and horizon', () => {
    const records = syntheticBlobRows({ blocks: 300, seed: 4, anchorLogFee: 18 })
    const prediction = buildBlobPrediction({
      records,
      schedule,
      forecaster,
      calibration: createBlobCalibrationState(),
      horizons: [1, 3, 10],
    })!
    expect(prediction.regime).toBe('priced')
    const at = (p: number, n: number) =>
      prediction.estimates.find((e) => e.confidence === p && e.withinBlocks === n)!.maxFeePerBlobGas
    for (const p of [50, 70, 90, 95, 99]) expect(at(p, 1)).toBe(prediction.nextBlobBaseFeePerGas)
    for (const n of [3, 10]) {
      expect(at(50, n)).toBeGreaterThanOrEqual(prediction.nextBlobBaseFeePerGas)
      expect(at(99, n)).toBeGreaterThan(at(50, n))
    }
    expect(at(99, 10)).toBeGreaterThanOrEqual(at(99, 3))
    const f10 = prediction.blobBaseFeeForecast.find((f) => f.blocksAhead === 10)!
    expect(f10.quantiles['99']).toBeGreaterThanOrEqual(f10.quantiles['50'])
  })

  it('takes the higher of the candidate forks one slot before Prague, from the real head header', () => {
    const head = fixture.findIndex((r) => r.number === 22_431_083)
    const prediction = buildBlobPrediction({
      records: fixture.slice(0, head + 1),
      schedule,
      forecaster,
      calibration: createBlobCalibrationState(),
    })!
    // Cancun's rule and fraction give the higher fee than Prague's: the cap cannot be short by a fork.
    expect(prediction.fork.baseFeeUpdateFraction).toBe(3_338_477n)
    expect(prediction.nextExcessBlobGas).toBe(50_855_936n)
  })

  it('needs the head base fee under EIP-7918, and uses it', () => {
    const records = syntheticBlobRows({ blocks: 100, seed: 5, firstTimestamp: bpo1Time, anchorLogFee: 16 })
    const calibration = createBlobCalibrationState()
    expect(() =>
      buildBlobPrediction({
        records: records.map((r) => ({ ...r, baseFeePerGas: null })),
        schedule,
        forecaster,
        calibration,
      }),
    ).toThrow(BlobGasError)
    const prediction = buildBlobPrediction({ records, schedule, forecaster, calibration })!
    expect(prediction.nextBlobBaseFeePerGas).toBeGreaterThan(0n)
  })

  it('says "no blob prediction" for a chain without blobs', () => {
    const records = syntheticBlobRows({ blocks: 10, seed: 6 })
    const calibration = createBlobCalibrationState()
    expect(buildBlobPrediction({ records, schedule: [], forecaster, calibration })).toBeNull()
    const noBlobFields = records.map((r) => ({ number: r.number, timestamp: r.timestamp }))
    expect(buildBlobPrediction({ records: noBlobFields, schedule, forecaster, calibration })).toBeNull()
  })
})

import { confidenceLevels, horizons } from '@feecast/client'
import { describe, expect, it } from 'vitest'
import { chainProfile } from '../chains/chains.js'
import { nextBaseFee } from '../fees/nextBaseFee.js'
import { mulberry32 } from '../lib/random.js'
import { randomWalkForecaster } from '../model/randomWalkForecaster.js'
import type { BlockRecord } from '../types.js'
import { buildPrediction } from './buildPrediction.js'
import { createCalibrationState } from './calibration.js'
import { PredictionInputError } from './errors.js'
import { createTipCalibrationState } from './tipCalibration.js'

const profile = chainProfile(1)

/** `count` consecutive Ethereum-like blocks with tips, the last at unix second `headTime`. */
function records(count: number, headTime: number): BlockRecord[] {
  const random = mulberry32(3)
  const out: BlockRecord[] = []
  let baseFee = 20_000_000_000n
  for (let i = 0; i < count; i++) {
    const gasLimit = 30_000_000n
    const gasUsed = BigInt(Math.round(30_000_000 * random()))
    const tip = BigInt(1_000_000_000 + Math.round(1e8 * random()))
    out.push({
      number: 1000 + i,
      hash: null,
      parentHash: null,
      timestamp: headTime - 12 * (count - 1 - i),
      baseFeePerGas: baseFee,
      gasUsed,
      gasLimit,
      txCount: 150,
      blobGasUsed: null,
      excessBlobGas: null,
      tips: {
        count: 150,
        threshold: tip,
        min: tip,
        p10: tip,
        p25: tip,
        p50: tip,
        p75: tip,
        p90: tip,
        max: tip * 2n,
        avg: tip,
      },
    })
    baseFee = nextBaseFee({ baseFeePerGas: baseFee, gasUsed, gasLimit })
  }
  return out
}

const build = (blocks: readonly BlockRecord[], now: number) =>
  buildPrediction({
    profile,
    records: blocks,
    forecaster: randomWalkForecaster(),
    calibration: createCalibrationState(),
    tips: createTipCalibrationState(),
    now,
  })

describe('buildPrediction', () => {
  const head = 1_700_000_000
  const blocks = records(300, head)

  it('carries every confidence level and horizon of the contract, caps rising with both', () => {
    const { prediction } = build(blocks, head * 1000 + 2000)
    const cells = prediction.estimates.map((e) => `${e.confidence}/${e.withinBlocks}`)
    expect(cells.sort()).toEqual(confidenceLevels.flatMap((p) => horizons.map((n) => `${p}/${n}`)).sort())
    const cap = (p: number, n: number) =>
      BigInt(prediction.estimates.find((e) => e.confidence === p && e.withinBlocks === n)!.maxFeePerGas)
    for (const n of horizons) expect(cap(99, n)).toBeGreaterThanOrEqual(cap(50, n))
    for (const p of confidenceLevels) expect(cap(p, 20)).toBeGreaterThanOrEqual(cap(p, 1))
    // The next base fee is exact, so N = 1 never caps below it.
    expect(cap(50, 1)).toBeGreaterThanOrEqual(BigInt(prediction.pendingBaseFeePerGas))
    expect(prediction.baseFeeForecast.map((f) => f.blocksAhead)).toEqual(horizons.filter((n) => n > 1))
    expect(prediction.blockNumber).toBe(1299)
    expect(prediction.stale).toBe(false)
  })

  it('says when the data is stale instead of hiding it behind a number', () => {
    const { prediction } = build(blocks, (head + 3600) * 1000)
    expect(prediction.stale).toBe(true)
    expect(prediction.trust.label).toBe('low')
    expect(prediction.trust.reasons[0]).toBe('data is 3600 s old')
  })

  it('refuses records it cannot predict from, naming the problem', () => {
    expect(() => build([], head * 1000)).toThrow(PredictionInputError)
    const withoutBaseFee = [...blocks.slice(0, -1), { ...blocks.at(-1)!, baseFeePerGas: null }]
    expect(() => build(withoutBaseFee, head * 1000)).toThrow(
      /block 1299 lacks the base fee, gas used or gas limit the next base fee needs/,
    )
  })
})

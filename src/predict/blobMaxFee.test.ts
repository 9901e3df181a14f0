import { describe, expect, it } from 'vitest'
import { mainnetBlobSchedule } from '../chains/blobSchedule.js'
import { blobBaseFee } from '../fees/blobBaseFee.js'
import { gasPerBlob } from '../fees/blobGas.js'
import { mulberry32 } from '../lib/random.js'
import { blobRandomWalkForecaster } from '../model/blobRandomWalkForecaster.js'
import { blobFeeCapAtThreshold, maxFeePerBlobGasFor } from './blobMaxFee.js'
import { calibrateRunMax, createCalibrationState } from './calibration.js'

const [cancun, prague] = [mainnetBlobSchedule[0]!, mainnetBlobSchedule[1]!]
const step = (3 * 131_072) / 3_338_477 // Cancun's largest one-block log rise

describe('blobFeeCapAtThreshold', () => {
  it('is the next blob base fee at N = 1 and at threshold 0', () => {
    const next = 50_000_000n
    const fee = blobBaseFee({ excessBlobGas: next, parameters: cancun })
    for (const [withinBlocks, threshold] of [
      [1, 0.5],
      [5, 0],
    ] as const)
      expect(
        blobFeeCapAtThreshold({ nextExcessBlobGas: next, nextFork: cancun, withinBlocks, threshold }),
      ).toBe(fee)
  })

  it('covers every excess path that stays under the threshold line, floors included', () => {
    const random = mulberry32(7)
    for (let trial = 0; trial < 300; trial++) {
      const next = BigInt(Math.floor(random() * 4)) * gasPerBlob * BigInt(Math.floor(random() * 200))
      const threshold = random() * 0.6
      const cap = blobFeeCapAtThreshold({
        nextExcessBlobGas: next,
        nextFork: cancun,
        withinBlocks: 10,
        threshold,
      })
      const line = Number(next) + threshold * 3_338_477
      // The highest excess under the line the chain can reach (whole blobs above it).
      const reachable = BigInt(Math.floor(line / 131_072)) * gasPerBlob
      const top = reachable > next ? reachable : next
      expect(blobBaseFee({ excessBlobGas: top, parameters: cancun }), `trial ${trial}`).toBeLessThanOrEqual(
        cap,
      )
    }
  })

  it('never asks more than the worst case: N - 1 full blocks', () => {
    const next = 10_000_000n
    const worst = blobBaseFee({ excessBlobGas: next + 9n * 3n * gasPerBlob, parameters: cancun })
    expect(
      blobFeeCapAtThreshold({ nextExcessBlobGas: next, nextFork: cancun, withinBlocks: 10, threshold: 50 }),
    ).toBe(worst)
  })

  it('stays at 1 wei on the floor for thresholds below a doubling', () => {
    expect(
      blobFeeCapAtThreshold({ nextExcessBlobGas: 0n, nextFork: cancun, withinBlocks: 3, threshold: 0.5 }),
    ).toBe(1n)
  })

  it('reads the same log line under every fork the horizon may reach, and the largest worst case', () => {
    const next = 60_000_000n
    const cap = (horizonForks: typeof mainnetBlobSchedule, threshold: number) =>
      blobFeeCapAtThreshold({
        nextExcessBlobGas: next,
        nextFork: prague,
        horizonForks,
        withinBlocks: 5,
        threshold,
      })
    // A fork's other update fraction reads the line at the same fee, up to integer rounding.
    const both = cap([prague, cancun], 0.1)
    const one = cap([prague], 0.1)
    expect(both).toBeGreaterThanOrEqual(one)
    expect(Number(both - one) / Number(one)).toBeLessThan(1e-5)
    // BPO1 allows 5 blobs above target a block, Prague 3: near BPO1 the worst case is BPO1's.
    const bpo1 = mainnetBlobSchedule[3]!
    expect(cap([prague, bpo1], 50)).toBe(
      blobBaseFee({ excessBlobGas: next + 4n * 5n * gasPerBlob, parameters: prague }),
    )
    expect(cap([prague], 50)).toBe(
      blobBaseFee({ excessBlobGas: next + 4n * 3n * gasPerBlob, parameters: prague }),
    )
  })
})

describe('maxFeePerBlobGasFor', () => {
  it('is monotone in confidence and horizon', () => {
    const forecast = blobRandomWalkForecaster().forecast(new Float64Array(64).fill(0.3), step)
    const thresholds = calibrateRunMax({ state: createCalibrationState(), forecast, maxStep: step })
    let previous = 0n
    for (const withinBlocks of [1, 2, 3, 5, 10, 20]) {
      let inRow = 0n
      for (const confidence of [50, 70, 90, 95, 99]) {
        const fee = maxFeePerBlobGasFor({
          nextExcessBlobGas: 40_000_000n,
          nextFork: cancun,
          thresholds,
          withinBlocks,
          confidence,
        })
        expect(fee).toBeGreaterThanOrEqual(inRow)
        inRow = fee
      }
      expect(inRow).toBeGreaterThanOrEqual(previous)
      previous = inRow
    }
    expect(previous).toBeGreaterThan(blobBaseFee({ excessBlobGas: 40_000_000n, parameters: cancun }))
  })
})

import { describe, expect, it } from 'vitest'
import { nextBaseFee } from '../fees/nextBaseFee.js'
import { mulberry32 } from '../lib/random.js'
import { bridgeGaps } from './bridgeGaps.js'
import { computeFeatures } from './computeFeatures.js'
import { featureNames } from './featureNames.js'
import { pendingBlock } from './pendingBlock.js'
import { toFeeSeries } from './toFeeSeries.js'
import type { FeatureBlock } from './types.js'

/** A chain that follows EIP-1559 exactly, with bursty demand. */
function chain(length: number, seed: number, start = 20_000_000_000n): FeatureBlock[] {
  const random = mulberry32(seed)
  const blocks: FeatureBlock[] = []
  let fee = start
  let demand = 0.5
  for (let i = 0; i < length; i++) {
    demand = Math.min(1, Math.max(0, demand + (random() - 0.5) * 0.3))
    const gasLimit = 30_000_000n
    const gasUsed = BigInt(Math.round(Number(gasLimit) * (random() < demand ? 1 : random() * 0.6)))
    blocks.push({
      number: 17_000_000 + i,
      timestamp: 1_700_000_000 + 12 * i,
      baseFeePerGas: fee,
      gasUsed,
      gasLimit,
    })
    fee = nextBaseFee({ baseFeePerGas: fee, gasUsed, gasLimit })
  }
  return blocks
}

const close = (a: Float64Array, b: Float64Array, tolerance: number) => {
  expect(a.length).toBe(b.length)
  a.forEach((x, i) => {
    expect(Math.abs(x - b[i]!), `${featureNames[i]}: ${x} vs ${b[i]}`).toBeLessThan(tolerance)
  })
}

describe('features', () => {
  const blocks = chain(400, 3)

  it('has one value per feature name, all finite', () => {
    const f = computeFeatures({ series: toFeeSeries({ blocks }), end: 399 })
    expect(f.vector).toHaveLength(featureNames.length)
    for (const x of f.vector) expect(Number.isFinite(x)).toBe(true)
    expect(f.historyBlocks).toBe(256)
    expect(f.blockTimeSeconds).toBe(12)
    expect(['low', 'medium', 'high', 'extreme']).toContain(f.congestion.level)
  })

  it('is scale-free: the same demand at 1/20000 of the fee level gives the same features', () => {
    const low = chain(400, 3, 1_000_000n)
    close(
      computeFeatures({ series: toFeeSeries({ blocks }), end: 399 }).vector,
      computeFeatures({ series: toFeeSeries({ blocks: low }), end: 399 }).vector,
      1e-3,
    )
  })

  it('derives each side from the other: base fees only, gas used only, or both give the same features', () => {
    const both = computeFeatures({ series: toFeeSeries({ blocks }), end: 399 }).vector
    const feesOnly = blocks.map((b) => ({ ...b, gasUsed: null, gasLimit: null }))
    const gasOnly = blocks.map((b) => ({ ...b, baseFeePerGas: null }))
    const fromFees = toFeeSeries({ blocks: feesOnly })
    const fromGas = toFeeSeries({ blocks: gasOnly })
    expect(fromGas.relative).toBe(true)
    close(computeFeatures({ series: fromFees, end: 399 }).vector, both, 1e-3)
    close(computeFeatures({ series: fromGas, end: 399 }).vector, both, 1e-3)
    // The gas-used ratio recovered from base fees matches gas_used / target.
    const exact = toFeeSeries({ blocks })
    for (let i = 0; i < 399; i++) expect(fromFees.gasUsedRatio[i]!).toBeCloseTo(exact.gasUsedRatio[i]!, 3)
  })

  it('reads only the past: data after the pending block changes nothing', () => {
    const series = toFeeSeries({ blocks })
    const truncated = toFeeSeries({ blocks: blocks.slice(0, 301) })
    close(
      computeFeatures({ series, end: 300 }).vector,
      computeFeatures({ series: truncated, end: 300 }).vector,
      1e-12,
    )
  })

  it('copes with no history at all (the first block of a chain) and short windows', () => {
    const series = toFeeSeries({ blocks: blocks.slice(0, 5) })
    for (const end of [0, 1, 4]) {
      const f = computeFeatures({ series, end })
      expect(f.historyBlocks).toBe(end)
      for (const x of f.vector) expect(Number.isFinite(x)).toBe(true)
    }
  })

  it('bridges one-block holes exactly and builds the pending block with EIP-1559 arithmetic', () => {
    const holed = [...blocks.slice(0, 10), ...blocks.slice(11, 20)]
    const bridged = bridgeGaps({ blocks: holed })
    expect(bridged).toHaveLength(20)
    expect(bridged[10]!.baseFeePerGas).toBe(blocks[10]!.baseFeePerGas)
    expect(bridgeGaps({ blocks: [...blocks.slice(0, 10), ...blocks.slice(12, 20)] })).toHaveLength(18)
    expect(pendingBlock({ latest: blocks[5]! })!.baseFeePerGas).toBe(blocks[6]!.baseFeePerGas)
    expect(pendingBlock({ latest: { number: 1, baseFeePerGas: 1n } })).toBeNull()
  })
})

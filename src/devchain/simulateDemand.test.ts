import { describe, expect, it } from 'vitest'
import { nextBaseFee } from '../fees/nextBaseFee.js'
import { summarizeTips } from '../fees/summarizeTips.js'
import { createDemandSimulator, type SimulatedBlock } from './simulateDemand.js'

const run = (seed: number, blocks: number) => {
  const simulator = createDemandSimulator({ seed })
  return Array.from({ length: blocks }, () => simulator.nextBlock())
}

const tipsOf = (block: SimulatedBlock) => {
  const t = block.transactions
  const base = Number(block.baseFeePerGas)
  return Array.from({ length: t.count }, (_, i) => ({
    tip: BigInt(
      t.legacy[i]
        ? t.maxFeePerGas[i]! - base
        : Math.min(t.maxPriorityFeePerGas[i]!, t.maxFeePerGas[i]! - base),
    ),
    from: t.fromBuilder[i] ? 'builder' : `sender${t.sender[i]}`,
  }))
}

describe('createDemandSimulator', () => {
  const blocks = run(1, 1500)

  it('is deterministic for a seed', () => {
    const again = run(1, 200)
    const other = run(2, 200)
    const key = (b: SimulatedBlock) =>
      `${b.baseFeePerGas}/${b.gasUsed}/${b.transactions.count}/${tipsOf(b)
        .map((t) => t.tip)
        .join(',')}`
    expect(again.map(key)).toEqual(blocks.slice(0, 200).map(key))
    expect(other.map(key)).not.toEqual(again.map(key))
  })

  it('computes every base fee from its parent by the exact EIP-1559 arithmetic', () => {
    for (let i = 1; i < blocks.length; i++) {
      const parent = blocks[i - 1]!
      expect(blocks[i]!.baseFeePerGas).toBe(nextBaseFee(parent))
    }
  })

  it('never overfills a block, and includes only transactions that pay the base fee', () => {
    const problems: string[] = []
    for (const block of blocks) {
      let used = 0
      for (let i = 0; i < block.transactions.count; i++) {
        used += block.transactions.gasUsed[i]!
        if (block.transactions.maxFeePerGas[i]! < Number(block.baseFeePerGas))
          problems.push(`block ${block.number} tx ${i} pays less than the base fee`)
      }
      if (BigInt(used) !== block.gasUsed)
        problems.push(`block ${block.number}: gas used ${block.gasUsed} != sum ${used}`)
      if (block.gasUsed > block.gasLimit) problems.push(`block ${block.number} is overfull`)
    }
    expect(problems).toEqual([])
  })

  it('has bursts and calm spells: full blocks, light blocks, a moving base fee and threshold', () => {
    const ratios = blocks.map((b) => Number(b.gasUsed) / Number(b.gasLimit))
    const full = ratios.filter((r) => r > 0.97).length
    const light = ratios.filter((r) => r < 0.3).length
    expect(full).toBeGreaterThan(20)
    expect(light).toBeGreaterThan(20)
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length
    const sd = Math.sqrt(ratios.reduce((a, r) => a + (r - mean) ** 2, 0) / ratios.length)
    expect(sd).toBeGreaterThan(0.15)
    expect(new Set(blocks.map((b) => b.regime))).toEqual(new Set(['calm', 'normal', 'busy', 'burst']))

    const fees = blocks.map((b) => Number(b.baseFeePerGas))
    expect(Math.max(...fees) / Math.min(...fees)).toBeGreaterThan(2)

    // τ: the lowest tip that got in, ignoring the builder's own and sub-2-wei ones.
    const tau = blocks.map((b) =>
      Number(summarizeTips({ tips: tipsOf(b), miner: 'builder' })?.threshold ?? 0n),
    )
    const fullTau = tau.filter((_, i) => ratios[i]! > 0.97)
    const lightTau = tau.filter((_, i) => ratios[i]! < 0.5)
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    expect(median(fullTau)).toBeGreaterThan(10 * median(lightTau))
    expect(new Set(tau).size).toBeGreaterThan(50)

    // Heavy-tailed bids: the top tip of a block is often far above its median.
    const spread = blocks.map((b) => {
      const s = summarizeTips({ tips: tipsOf(b) })
      return s && s.p50 > 0n ? Number(s.max) / Number(s.p50) : 1
    })
    expect(median(spread)).toBeGreaterThan(5)
  })

  it('lets builders add their own zero-tip transaction', () => {
    const own = blocks.filter((b) => b.transactions.fromBuilder.includes(1)).length
    expect(own).toBeGreaterThan(blocks.length / 5)
  })
})

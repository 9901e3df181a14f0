import { describe, expect, it } from 'vitest'
import { effectiveTip } from '../fees/effectiveTip.js'
import { parseHistoryCsv } from '../history/historyCsv.js'
import { replaySource } from './blockSources.js'
import type { DevBlock } from './devBlock.js'
import { planReplay } from './planReplay.js'
import { replayedDevBlock } from './replayedBlock.js'
import { createDemandSimulator } from './simulateDemand.js'
import { simulatedDevBlock } from './simulatedBlock.js'

const zero = `0x${'0'.repeat(64)}` as const

/** Every view of a block's transactions agrees: rewards, effective tips from the fee fields, gas. */
function expectConsistent(block: DevBlock) {
  const txs = block.transactions()
  expect(txs).toHaveLength(block.transactionCount)
  expect(block.rewardSamples()).toEqual(txs.map((tx) => ({ tip: tx.tip, gasUsed: tx.gasUsed })))
  const baseFeePerGas = block.baseFeePerGas ?? 0n
  for (const tx of txs) {
    expect(effectiveTip({ baseFeePerGas, ...tx })).toBe(tx.tip)
    expect(tx.gas).toBeGreaterThanOrEqual(tx.gasUsed)
  }
  expect(txs.reduce((sum, tx) => sum + tx.gasUsed, 0n)).toBe(block.fee.gasUsed)
  expect(new Set(txs.map((tx) => tx.hash)).size).toBe(txs.length)
  // Drawn the same way every time.
  expect(block.transactions()).toEqual(txs)
}

describe('devchain blocks', () => {
  it('simulated blocks', () => {
    const simulator = createDemandSimulator({ seed: 8, gasLimit: 5_000_000n })
    for (let i = 0; i < 30; i++) {
      const block = simulatedDevBlock({
        block: simulator.nextBlock(),
        hash: zero,
        parentHash: zero,
        timestamp: i,
        salt: 1,
      })
      expectConsistent(block)
    }
  })

  it('replayed blocks, with and without a served base fee', () => {
    const { rows, presentColumns } = parseHistoryCsv({
      text: 'number,base_fee_per_gas,gas_used,tx_count,min_priority_fee,avg_priority_fee,max_priority_fee\n1,1000,21000,1,5,5,5\n2,,9000000,40,0,3000000,90000000\n3,20,15000000,30,1,77,400\n4,20,0,0,,,\n',
    })
    const { blocks, inexact } = planReplay({ rows, presentColumns })
    expect(inexact).toEqual([])
    for (const plan of blocks)
      expectConsistent(replayedDevBlock({ plan, hash: zero, parentHash: zero, salt: 1 }))
    expect(blocks[1]!.served.baseFeePerGas).toBeNull()
    expect(blocks[1]!.internal.baseFeePerGas).toBeGreaterThan(0n)
  })

  it('replays a file collected from genesis: block 0 has the zero parent, block 1 block 0 as its', () => {
    const { rows, presentColumns } = parseHistoryCsv({
      text: 'number,base_fee_per_gas,gas_used\n0,1000000000,0\n1,875000000,21000\n',
    })
    const source = replaySource({
      chainId: 1337,
      salt: 1,
      plans: planReplay({ rows, presentColumns }).blocks,
      speed: 1,
    })
    const genesis = source.next(0)
    const first = source.next(0)
    expect(genesis?.parentHash).toBe(zero)
    expect(first?.parentHash).toBe(genesis?.hash)
  })
})

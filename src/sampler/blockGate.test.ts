import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { chainProfile } from '../chains/chains.js'
import { nextBaseFee } from '../fees/nextBaseFee.js'
import { createBlockGate } from './blockGate.js'
import type { SampledBlock } from './blockToRecord.js'
import { ReorgTooDeepError } from './errors.js'

const t0 = 1_800_000_000
const gasLimit = 30_000_000n

/** A run of empty-ish blocks whose base fees follow `denominator` (Ethereum's is 8). */
function chain(length: number, denominator: bigint, from = 1): SampledBlock[] {
  const blocks: SampledBlock[] = []
  let baseFee = 10_000_000_000n
  for (let i = 0; i < length; i++) {
    const gasUsed = 20_000_000n
    blocks.push({
      number: BigInt(from + i),
      hash: `0x${(from + i).toString(16).padStart(64, '0')}` as Hex,
      parentHash: `0x${(from + i - 1).toString(16).padStart(64, '0')}` as Hex,
      timestamp: BigInt(t0 + 12 * i),
      baseFeePerGas: baseFee,
      gasUsed,
      gasLimit,
      miner: '0x0000000000000000000000000000000000000000',
      transactions: [],
    })
    baseFee = nextBaseFee({
      baseFeePerGas: baseFee,
      gasUsed,
      gasLimit,
      eip1559: { elasticityMultiplier: 2n, baseFeeMaxChangeDenominator: denominator },
    })
  }
  return blocks
}

const gate = () =>
  createBlockGate({ profile: chainProfile(1), now: () => (t0 + 3600) * 1000, ruleChangeConfirmations: 16 })

describe('createBlockGate', () => {
  it('admits blocks that follow the rule', () => {
    const g = gate()
    const blocks = chain(40, 8n)
    expect(g.admit(blocks, null, 40).admitted).toHaveLength(40)
    expect(g.health()).toMatchObject({ rejecting: null, ruleMismatch: null })
  })

  it('holds back a block that breaks the rule near the head, and counts the attempts of one episode', () => {
    const g = gate()
    const blocks = chain(40, 16n)
    const first = g.admit(blocks.slice(0, 10), null, 10)
    expect(first.admitted).toHaveLength(1)
    expect(first.rejected?.reason).toBe('base-fee-rule')
    g.admit(blocks.slice(0, 10), null, 10)
    expect(g.health().rejecting).toMatchObject({ block: 2, reason: 'base-fee-rule', attempts: 2 })
    g.stored()
    expect(g.health().rejecting).toBeNull()
  })

  it('names a refusal decided outside its checks (a reorg deeper than maxReorgDepth) as its own, until a block is stored', () => {
    const g = gate()
    const start = g.version
    const error = new ReorgTooDeepError({ chainId: 1, tip: 301, maxReorgDepth: 128 })
    expect(g.refuse(error)).toBe(error)
    expect(g.refuse(new ReorgTooDeepError({ chainId: 1, tip: 301, maxReorgDepth: 128 }))).toBeInstanceOf(
      ReorgTooDeepError,
    )
    expect(g.health().rejecting).toMatchObject({
      block: 301,
      reason: 'reorg-too-deep',
      problem: expect.stringMatching(
        /block 301 shares no ancestor with the stored chain within maxReorgDepth \(128\)/,
      ),
      attempts: 2,
    })
    expect(g.version).toBe(start + 1)
    g.stored()
    expect(g.health().rejecting).toBeNull()
  })

  it('publishes a lasting failure when it begins or its reason changes, until a block is stored', () => {
    const g = gate()
    const start = g.version
    g.failing('eth_blockNumber failed on every endpoint of chain 1: connection failed (ECONNREFUSED)')
    const since = g.health().failing?.since
    expect(g.version).toBe(start + 1)
    g.failing('eth_blockNumber failed on every endpoint of chain 1: connection failed (ECONNREFUSED)')
    expect(g.version).toBe(start + 1)
    g.failing('eth_blockNumber failed on every endpoint of chain 1: circuit open')
    expect(g.version).toBe(start + 2)
    expect(g.health().failing).toEqual({
      problem: 'eth_blockNumber failed on every endpoint of chain 1: circuit open',
      since,
    })
    g.stored()
    expect(g.health().failing).toBeNull()
    expect(g.version).toBe(start + 3)
  })

  it('follows a chain that has built on the new rule, and says so until the rule matches again', () => {
    const g = gate()
    const changed = chain(40, 16n)
    // Block 2 breaks the rule, and the node is 38 blocks past it: the chain has moved on.
    expect(g.admit(changed, null, 40).admitted).toHaveLength(40)
    expect(g.health().ruleMismatch?.problem).toMatch(/block 2 has base fee/)
    // Blocks that follow the known rule again, 64 in a row, end the mismatch.
    const back = chain(70, 8n, 41)
    g.admit(back, null, 200)
    expect(g.health().ruleMismatch).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import { gasPerBlob } from '../fees/blobGas.js'
import { nextExcessBlobGas } from '../fees/nextExcessBlobGas.js'
import { mainnetBlobSchedule } from './blobSchedule.js'
import { type BlockFacts, checkBlobFields } from './checkBlock.js'

const bpo1 = mainnetBlobSchedule.find((f) => f.name === 'bpo1')!
const t = bpo1.activationTime + 1200
const parent: BlockFacts = {
  number: 100,
  timestamp: t - 12,
  baseFeePerGas: 1_000_000_000n,
  gasUsed: null,
  gasLimit: null,
  blobGasUsed: 12n * gasPerBlob,
  excessBlobGas: 400_000_000n,
}
const exact = nextExcessBlobGas({
  parent: {
    excessBlobGas: parent.excessBlobGas!,
    blobGasUsed: parent.blobGasUsed!,
    baseFeePerGas: parent.baseFeePerGas,
  },
  parameters: bpo1,
}).excessBlobGas
const child = (fields: Partial<BlockFacts>): BlockFacts => ({
  number: 101,
  timestamp: t,
  baseFeePerGas: 1_000_000_000n,
  gasUsed: null,
  gasLimit: null,
  blobGasUsed: 3n * gasPerBlob,
  excessBlobGas: exact,
  ...fields,
})

describe('checkBlobFields', () => {
  it("accepts the excess the fork's rule gives, and a block without blob fields", () => {
    expect(checkBlobFields(child({}), parent, mainnetBlobSchedule)).toBeNull()
    expect(
      checkBlobFields(child({ blobGasUsed: null, excessBlobGas: null }), parent, mainnetBlobSchedule),
    ).toBeNull()
  })

  it('refuses what no block can be: a part of a blob, a negative or a 2^64 excess', () => {
    for (const fields of [
      { blobGasUsed: gasPerBlob + 1n },
      { blobGasUsed: -gasPerBlob },
      { blobGasUsed: 5000n * gasPerBlob },
      { excessBlobGas: -1n },
      { excessBlobGas: 2n ** 64n },
    ])
      expect(checkBlobFields(child(fields), parent, mainnetBlobSchedule)).toMatchObject({
        verdict: 'reject',
        reason: 'blob-gas',
      })
  })

  it("calls a rule mismatch (held back, then followed with low trust) what the fork's rule does not give", () => {
    expect(
      checkBlobFields(child({ excessBlobGas: exact + gasPerBlob }), parent, mainnetBlobSchedule),
    ).toMatchObject({
      verdict: 'mismatch',
      rule: 'blob',
      problem: expect.stringMatching(
        /block 101 has excess blob gas \d+; bpo1's rule gives \d+ from its parent/,
      ),
    })
    expect(
      checkBlobFields(child({ blobGasUsed: 16n * gasPerBlob }), parent, mainnetBlobSchedule),
    ).toMatchObject({
      verdict: 'mismatch',
      problem: 'block 101 carries 16 blobs; bpo1 allows 15',
    })
  })

  it("without the parent's base fee, either of EIP-7918's branches is accepted", () => {
    const noBase = { ...parent, baseFeePerGas: null }
    const normal = parent.excessBlobGas! + parent.blobGasUsed! - BigInt(bpo1.target) * gasPerBlob
    const reserve =
      parent.excessBlobGas! + (parent.blobGasUsed! * BigInt(bpo1.max - bpo1.target)) / BigInt(bpo1.max)
    expect(normal).not.toBe(reserve)
    expect(checkBlobFields(child({ excessBlobGas: normal }), noBase, mainnetBlobSchedule)).toBeNull()
    expect(checkBlobFields(child({ excessBlobGas: reserve }), noBase, mainnetBlobSchedule)).toBeNull()
    expect(
      checkBlobFields(child({ excessBlobGas: reserve + 1n }), noBase, mainnetBlobSchedule)?.verdict,
    ).toBe('mismatch')
  })
})

import { describe, expect, it } from 'vitest'
import { formatHistoryCsv, parseHistoryCsv } from '../history/historyCsv.js'
import { blockToHistoryRow, type CollectableBlock } from './blockToHistoryRow.js'

const tx = (fields: Record<string, bigint | undefined>) =>
  fields as unknown as CollectableBlock['transactions'][number]

describe('blockToHistoryRow', () => {
  it('summarizes effective tips of EIP-1559 and legacy transactions', () => {
    const row = blockToHistoryRow({
      number: 100n,
      timestamp: 1_700_000_000n,
      baseFeePerGas: 10n,
      gasUsed: 63_000n,
      gasLimit: 30_000_000n,
      transactions: [
        tx({ maxFeePerGas: 100n, maxPriorityFeePerGas: 3n }), // tip 3
        tx({ maxFeePerGas: 15n, maxPriorityFeePerGas: 9n }), // capped by maxFee: tip 5
        tx({ gasPrice: 17n }), // legacy: tip 7
      ],
    })
    expect(row).toEqual({
      number: 100,
      timestamp: 1_700_000_000,
      baseFeePerGas: 10n,
      gasUsed: 63_000n,
      gasLimit: 30_000_000n,
      txCount: 3,
      minPriorityFee: 3n,
      avgPriorityFee: 5n,
      maxPriorityFee: 7n,
    })
  })

  it('leaves tips empty for an empty block and unknown fields empty', () => {
    const row = blockToHistoryRow({
      number: 5n,
      timestamp: undefined as unknown as bigint,
      baseFeePerGas: null,
      gasUsed: undefined as unknown as bigint,
      gasLimit: 30_000_000n,
      transactions: [],
    })
    expect(row).toMatchObject({
      timestamp: null,
      baseFeePerGas: null,
      gasUsed: null,
      txCount: 0,
      avgPriorityFee: null,
    })
  })

  it('measures tips against a base fee of 0 when the block has none (pre-London)', () => {
    const row = blockToHistoryRow({
      number: 1n,
      timestamp: 1n,
      baseFeePerGas: null,
      gasUsed: 21_000n,
      gasLimit: 30_000_000n,
      transactions: [tx({ gasPrice: 20_000_000_000n })],
    })
    expect(row.minPriorityFee).toBe(20_000_000_000n)
  })

  it("writes a blob chain's blob columns, and a file that reads back with them (none for a block without)", () => {
    const block = {
      number: 7n,
      timestamp: 1n,
      baseFeePerGas: 1n,
      gasUsed: 0n,
      gasLimit: 30_000_000n,
      transactions: [],
    }
    const blob = blockToHistoryRow({ ...block, blobGasUsed: 393_216n, excessBlobGas: 0n })
    expect(blob).toMatchObject({ blobGasUsed: 393_216n, excessBlobGas: 0n })
    expect('blobGasUsed' in blockToHistoryRow(block)).toBe(false)
    const text = formatHistoryCsv([blob])
    expect(text.split('\n')[0]).toMatch(/,blob_gas_used,excess_blob_gas$/)
    expect(parseHistoryCsv({ text }).rows[0]).toMatchObject({ blobGasUsed: 393_216n, excessBlobGas: 0n })
  })
})

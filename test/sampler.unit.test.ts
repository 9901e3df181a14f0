import { describe, expect, it } from 'vitest'
import { validateRpcResult } from '../src/rpc/validateRpcResult.js'
import { blockToRecord, type SampledBlock } from '../src/sampler/blockToRecord.js'
import { feeHistoryToRecords } from '../src/sampler/feeHistoryToRecords.js'
import { jitteredDelay } from '../src/sampler/jitteredDelay.js'
import { planSync, syncStart } from '../src/sampler/planSync.js'

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const
const miner = '0x00000000000000000000000000000000000000aa' as const
const alice = '0x00000000000000000000000000000000000000a1' as const

describe('blockToRecord', () => {
  const block: SampledBlock = {
    number: 10n,
    hash: h(10),
    parentHash: h(9),
    timestamp: 1_700_000_000n,
    baseFeePerGas: 100n,
    gasUsed: 63_000n,
    gasLimit: 100_000n,
    miner,
    blobGasUsed: 0n,
    excessBlobGas: 5n,
    transactions: [
      // capped: min(50, 120 - 100) = 20
      { from: alice, typeHex: '0x2', maxFeePerGas: 120n, maxPriorityFeePerGas: 50n, gasPrice: 120n },
      // legacy: 130 - 100 = 30
      { from: alice, typeHex: '0x0', gasPrice: 130n },
      // the miner's own: in the percentiles, not in τ
      { from: miner, typeHex: '0x2', maxFeePerGas: 1_000n, maxPriorityFeePerGas: 5n },
      // a 1-wei tip: in the percentiles, not in τ
      { from: alice, typeHex: '0x2', maxFeePerGas: 1_000n, maxPriorityFeePerGas: 1n },
      // a system transaction (OP deposit): not a market tip at all
      { from: alice, typeHex: '0x7e', gasPrice: 0n },
    ],
  }

  it('builds the record with effective tips and τ', () => {
    const record = blockToRecord(block)
    expect(record).toMatchObject({
      number: 10,
      hash: h(10),
      parentHash: h(9),
      timestamp: 1_700_000_000,
      baseFeePerGas: 100n,
      gasUsed: 63_000n,
      gasLimit: 100_000n,
      txCount: 5,
      blobGasUsed: 0n,
      excessBlobGas: 5n,
    })
    expect(record.tips).toEqual({
      count: 4,
      threshold: 20n,
      min: 1n,
      p10: 1n,
      p25: 1n,
      p50: 5n,
      p75: 20n,
      p90: 30n,
      max: 30n,
      avg: 14n,
    })
  })

  it('has null tips for an empty block and refuses a block without its transactions', () => {
    expect(blockToRecord({ ...block, transactions: [] }).tips).toBeNull()
    expect(() => blockToRecord({ ...block, transactions: [h(1)] })).toThrow(/without its transactions/)
    expect(
      blockToRecord({ ...block, blobGasUsed: undefined, excessBlobGas: undefined }).blobGasUsed,
    ).toBeNull()
  })
})

describe('feeHistoryToRecords', () => {
  it('gives one base-fee record per block, the rest unknown', () => {
    const records = feeHistoryToRecords({
      oldestBlock: 7n,
      baseFeePerGas: [1n, 2n, 3n],
      gasUsedRatio: [0.5, 0.9],
    })
    expect(records.map((r) => [r.number, r.baseFeePerGas, r.hash, r.gasUsed, r.tips])).toEqual([
      [7, 1n, null, null, null],
      [8, 2n, null, null, null],
    ])
  })
})

describe('planSync', () => {
  it('backfills H blocks: eth_feeHistory in 1024-block calls, then the newest whole', () => {
    expect(
      planSync({ latest: 5_000, storedHead: null, historyBlocks: 2_100, backfillFullBlocks: 64 }),
    ).toEqual({
      feeHistory: [
        { newest: 3_924, count: 1_024 },
        { newest: 4_936, count: 1_012 },
      ],
      full: { from: 4_937, to: 5_000 },
    })
  })
  it('resumes after the stored head, and fills nothing when in sync', () => {
    expect(
      planSync({ latest: 5_000, storedHead: 4_990, historyBlocks: 2_100, backfillFullBlocks: 64 }),
    ).toEqual({
      feeHistory: [],
      full: { from: 4_991, to: 5_000 },
    })
    expect(planSync({ latest: 5_000, storedHead: 5_000, historyBlocks: 10, backfillFullBlocks: 4 })).toEqual({
      feeHistory: [],
      full: null,
    })
  })
  it('fills only the history window after a long absence, and copes with a young chain', () => {
    expect(planSync({ latest: 9_000, storedHead: 100, historyBlocks: 50, backfillFullBlocks: 0 })).toEqual({
      feeHistory: [{ newest: 9_000, count: 50 }],
      full: null,
    })
    expect(planSync({ latest: 3, storedHead: null, historyBlocks: 100, backfillFullBlocks: 2 })).toEqual({
      feeHistory: [{ newest: 1, count: 2 }],
      full: { from: 2, to: 3 },
    })
  })
  it('leaves out the blocks below the oldest the node serves: the whole-block window holds only blocks it has', () => {
    // A restarted devchain that resumed at 470: the store's head is 300, the node has 470..500.
    expect(
      planSync({
        latest: 500,
        storedHead: 300,
        historyBlocks: 1_024,
        backfillFullBlocks: 64,
        oldestServed: 470,
      }),
    ).toEqual({ feeHistory: [], full: { from: 470, to: 500 } })
    expect(
      planSync({
        latest: 500,
        storedHead: 300,
        historyBlocks: 1_024,
        backfillFullBlocks: 8,
        oldestServed: 470,
      }),
    ).toEqual({ feeHistory: [{ newest: 492, count: 23 }], full: { from: 493, to: 500 } })
    expect(
      planSync({
        latest: 500,
        storedHead: null,
        historyBlocks: 100,
        backfillFullBlocks: 64,
        oldestServed: 490,
      }),
    ).toEqual({ feeHistory: [], full: { from: 490, to: 500 } })
  })
})

describe('syncStart', () => {
  it('is the stored head (to compare with the node), or the history window without one', () => {
    expect(syncStart({ latest: 500, storedHead: 300, historyBlocks: 100 })).toBe(300)
    expect(syncStart({ latest: 500, storedHead: 600, historyBlocks: 100 })).toBe(500)
    expect(syncStart({ latest: 500, storedHead: null, historyBlocks: 100 })).toBe(401)
    expect(syncStart({ latest: 5, storedHead: null, historyBlocks: 100 })).toBe(0)
  })
})

describe('jitteredDelay', () => {
  it('grows exponentially up to its cap, scaled by the random draw', () => {
    expect(jitteredDelay(1, 100, 1_000, () => 1)).toBe(100)
    expect(jitteredDelay(3, 100, 1_000, () => 1)).toBe(400)
    expect(jitteredDelay(10, 100, 1_000, () => 0.5)).toBe(500)
    expect(jitteredDelay(2, 100, 1_000, () => 0)).toBe(0)
  })
})

describe('validateRpcResult', () => {
  const good = {
    number: '0xa',
    hash: h(10),
    parentHash: h(9),
    timestamp: '0x1',
    gasUsed: '0x5',
    gasLimit: '0x10',
    miner,
    baseFeePerGas: '0x64',
    transactions: [
      {
        hash: h(1),
        from: alice,
        blockHash: h(10),
        blockNumber: '0xa',
        type: '0x2',
        maxFeePerGas: '0x78',
        maxPriorityFeePerGas: '0x1',
      },
    ],
  }
  const check = (result: unknown, params: unknown[] = ['0xa', true]) =>
    validateRpcResult({ method: 'eth_getBlockByNumber', params, result })

  it('accepts a consistent block, and null (not there yet)', () => {
    expect(check(good)).toBeUndefined()
    expect(check(null)).toBeUndefined()
  })
  it('names what is wrong with a garbage or inconsistent block', () => {
    expect(check({ ...good, number: '0xb' })).toMatch(/asked for block 10, got block 11/)
    expect(check({ ...good, hash: '0x12' })).toMatch(/hash/)
    expect(check({ ...good, gasUsed: '0x11' })).toMatch(/exceeds gasLimit/)
    expect(check('<html>')).toBeDefined()
    expect(check({ ...good, transactions: [{ ...good.transactions[0], blockHash: h(11) }] })).toMatch(
      /belongs to block/,
    )
    expect(check({ ...good, transactions: [{ ...good.transactions[0], maxFeePerGas: '0x10' }] })).toMatch(
      /below the base fee/,
    )
    expect(check(good, ['0xa', false])).toMatch(/hashes were asked for/)
  })
  it('checks fee history lengths and range', () => {
    const history = { oldestBlock: '0x5', baseFeePerGas: ['0x1', '0x2', '0x3'], gasUsedRatio: [0.1, 0.2] }
    const fee = (result: unknown, params: unknown[] = ['0x2', '0x6', []]) =>
      validateRpcResult({ method: 'eth_feeHistory', params, result })
    expect(fee(history)).toBeUndefined()
    expect(fee({ ...history, baseFeePerGas: ['0x1'] })).toMatch(/base fees for 2 blocks/)
    expect(fee(history, ['0x2', '0x9', []])).toMatch(/ends at block 6/)
    expect(fee(history, ['0x1', '0x6', []])).toMatch(/2 blocks returned, 1 asked/)
    expect(validateRpcResult({ method: 'eth_blockNumber', params: [], result: 12 })).toBeDefined()
  })
})

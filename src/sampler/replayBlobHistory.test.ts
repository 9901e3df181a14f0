import { describe, expect, it } from 'vitest'
import { syntheticBlobRows } from '../../test/helpers/blobHistory.js'
import { blobForkAt, mainnetBlobSchedule } from '../chains/blobSchedule.js'
import { blobBaseFee } from '../fees/blobBaseFee.js'
import { gasPerBlob } from '../fees/blobGas.js'
import type { BlockRecord } from '../types.js'
import { replayBlobHistory } from './replayBlobHistory.js'

const prague = mainnetBlobSchedule.find((f) => f.name === 'prague')!
const osaka = mainnetBlobSchedule.find((f) => f.name === 'osaka')!

/** What eth_feeHistory says of a window of rows (base fees and blob fields, no excess), and the truth. */
function feeHistoryOf(firstTimestamp: number, baseFeePerGas: bigint, seed: number) {
  const rows = syntheticBlobRows({
    blocks: 120,
    seed,
    firstTimestamp,
    baseFeePerGas,
    firstExcess: 80_000_000n,
  })
  const forkOf = (number: number) =>
    blobForkAt(mainnetBlobSchedule, rows[number - rows[0]!.number]!.timestamp!)
  const records: BlockRecord[] = rows.map((r) => ({
    number: r.number,
    hash: null,
    parentHash: null,
    timestamp: null,
    baseFeePerGas: r.baseFeePerGas,
    gasUsed: null,
    gasLimit: null,
    txCount: null,
    blobGasUsed: null,
    excessBlobGas: null,
    tips: null,
  }))
  return {
    rows,
    records,
    forkOf,
    anchor: { excessBlobGas: rows[0]!.excessBlobGas!, blobGasUsed: rows[0]!.blobGasUsed! },
    blobGasUsedRatio: rows.map(
      (r) => Number(r.blobGasUsed) / Number(BigInt(forkOf(r.number)!.max) * gasPerBlob),
    ),
    baseFeePerBlobGas: rows.map((r) =>
      blobBaseFee({ excessBlobGas: r.excessBlobGas!, parameters: forkOf(r.number)! }),
    ),
  }
}

describe('replayBlobHistory', () => {
  it('replays the excess of every block exactly across a fork boundary (Cancun → Prague)', () => {
    const h = feeHistoryOf(prague.activationTime - 12 * 60, 1_000_000_000n, 7)
    expect(h.forkOf(h.rows[0]!.number)!.name).toBe('cancun')
    expect(h.forkOf(h.rows.at(-1)!.number)!.name).toBe('prague')
    const replayed = replayBlobHistory(h)
    expect(replayed.ok).toBe(true)
    if (!replayed.ok) return
    expect(replayed.records.map((r) => r.excessBlobGas)).toEqual(h.rows.map((r) => r.excessBlobGas))
    expect(replayed.records.map((r) => r.blobGasUsed)).toEqual(h.rows.map((r) => r.blobGasUsed))
  })

  it("follows EIP-7918's reserve branch from Osaka on (it needs each block's base fee)", () => {
    // A base fee high enough that the reserve price binds: the excess cannot fall there.
    const h = feeHistoryOf(osaka.activationTime - 12 * 30, 400_000_000_000n, 3)
    const replayed = replayBlobHistory(h)
    expect(replayed.ok).toBe(true)
    if (replayed.ok)
      expect(replayed.records.map((r) => r.excessBlobGas)).toEqual(h.rows.map((r) => r.excessBlobGas))
  })

  it('refuses a replay under the wrong fork at the boundary (the rule must switch at the right block)', () => {
    const h = feeHistoryOf(prague.activationTime - 12 * 60, 1_000_000_000n, 7)
    const cancun = h.forkOf(h.rows[0]!.number)!
    const replayed = replayBlobHistory({
      ...h,
      // Prague's first block one block late.
      forkOf: (n) => (n <= h.rows[60]!.number ? cancun : h.forkOf(n)),
    })
    expect(replayed).toMatchObject({ ok: false })
  })

  it('refuses what a lying endpoint says: a blob base fee, a ratio that is no whole number of blobs', () => {
    const h = feeHistoryOf(prague.activationTime - 12 * 60, 1_000_000_000n, 7)
    const fees = [...h.baseFeePerBlobGas]
    fees[30] = fees[30]! + 1n
    const lied = replayBlobHistory({ ...h, baseFeePerBlobGas: fees })
    expect(lied).toMatchObject({ ok: false, problem: expect.stringMatching(/blob base fee/) })
    const ratios = [...h.blobGasUsedRatio]
    ratios[10] = 0.123
    expect(replayBlobHistory({ ...h, blobGasUsedRatio: ratios })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/whole number/),
    })
  })
})

import { describe, expect, it } from 'vitest'
import { chainProfile, devchainId } from '../chains/chains.js'
import { nextBaseFee } from '../fees/nextBaseFee.js'
import { HistoryFileError, historyColumns } from '../history/historyCsv.js'
import type { HistoryRow } from '../types.js'
import { type DevchainState, headOf } from './devchainState.js'
import { prepareReplay } from './prepareReplay.js'
import { prepareSimulation } from './prepareSimulation.js'

const eip1559 = chainProfile(devchainId).eip1559
const now = () => Math.floor(Date.now() / 1000)

/** Rows of a file with base fees that follow the rule, and timestamps 12 s apart. */
function rows(count: number, first = 20_000_000): HistoryRow[] {
  const out: HistoryRow[] = []
  let fee = 10_000_000_000n
  for (let i = 0; i < count; i++) {
    const gasUsed = BigInt(10_000_000 + ((i * 7_919_000) % 20_000_000))
    out.push({
      number: first + i,
      timestamp: 1_700_000_000 + 12 * i,
      baseFeePerGas: fee,
      gasUsed,
      gasLimit: 30_000_000n,
      txCount: 10,
      minPriorityFee: 1n,
      avgPriorityFee: 2n,
      maxPriorityFee: 3n,
    })
    fee = nextBaseFee({ baseFeePerGas: fee, gasUsed, gasLimit: 30_000_000n, eip1559 })
  }
  return out
}

const file = (count: number) => ({
  rows: rows(count),
  presentColumns: [...historyColumns.slice(0, 9)],
  source: 'test.csv',
})

const replay = (overrides: Partial<Parameters<typeof prepareReplay>[0]> = {}) =>
  prepareReplay({
    replay: file(40),
    chainId: devchainId,
    seed: 1,
    eip1559,
    history: 10,
    saved: undefined,
    onNotice: () => {},
    ...overrides,
  })

describe('prepareReplay', () => {
  it('serves the first `history` rows at start and the rest from the file, in order', async () => {
    const chain = await replay()
    expect(chain.mode).toBe('replay')
    expect(chain.initial).toBe(10)
    expect(chain.describe).toBe('test.csv (blocks 20000000..20000039, 40 rows)')
    expect(chain.replayIdentity).toEqual({ source: 'test.csv', firstNumber: 20_000_000, rows: 40 })
    const numbers: number[] = []
    for (let block = chain.source.next(now()); block; block = chain.source.next(now()))
      numbers.push(block.number)
    expect(numbers).toEqual(rows(40).map((r) => r.number))
    expect(chain.source.remaining()).toBe(0)
    expect((await replay({ history: 'all' })).initial).toBe(40)
    expect((await replay({ history: 0 })).initial).toBe(1)
  })

  it('resumes a run of the same file at the row it reached, and only of the same file', async () => {
    const first = await replay()
    for (let i = 0; i < 25; i++) first.source.next(now())
    const reached = first.source.next(now())
    if (!reached) throw new Error('the replay ended early')
    const saved: DevchainState = {
      version: 1,
      chainId: devchainId,
      seed: 1,
      mode: 'replay',
      replay: first.replayIdentity,
      head: headOf(reached),
    }
    expect((await replay({ saved })).initial).toBe(26)
    // Another file (other rows) or 'all' starts as usual.
    expect((await replay({ saved, replay: { ...file(41), source: 'test.csv' } })).initial).toBe(10)
    expect((await replay({ saved, history: 'all' })).initial).toBe(40)
  })

  it('refuses an empty file and a speed that is not positive, naming the problem', async () => {
    await expect(replay({ replay: { rows: [], presentColumns: [], source: 'empty.csv' } })).rejects.toThrow(
      HistoryFileError,
    )
    await expect(replay({ speed: 0 })).rejects.toThrow('speed must be positive, not 0')
  })

  it('says which rows it cannot serve back exactly', async () => {
    const notices: string[] = []
    const bad = rows(20)
    // Tips given for a block without transactions: served, but not as the file has them.
    const broken = bad[5]
    if (broken) broken.txCount = 0
    const chain = await replay({
      replay: { rows: bad, presentColumns: [...historyColumns.slice(0, 9)] },
      onNotice: (m) => notices.push(m),
    })
    expect(chain.inexact.length).toBeGreaterThan(0)
    expect(notices).toHaveLength(1)
    expect(chain.inexact[0]).toEqual({
      number: 20_000_005,
      columns: expect.any(Array),
      reason: 'tips given for a block without transactions',
    })
    expect(notices[0]).toMatch(
      /^\d+ row\(s\) of replay cannot be served so that collect gives them back exactly, first: block 20000005 \(tips given for a block without transactions\)$/,
    )
  })
})

describe('prepareSimulation', () => {
  const simulation = (overrides: Partial<Parameters<typeof prepareSimulation>[0]> = {}) =>
    prepareSimulation({
      chainId: devchainId,
      seed: 1,
      eip1559,
      blockTime: 2,
      history: 30,
      defaultHistory: 256,
      saved: undefined,
      ...overrides,
    })

  it('makes `history` blocks at start, a block time apart and ending now', () => {
    const chain = simulation()
    expect(chain).toMatchObject({
      mode: 'simulate',
      initial: 30,
      resumeAfter: undefined,
      describe: 'simulation (seed 1)',
    })
    const t = now()
    expect(chain.aheadOfTime(29)).toBeGreaterThanOrEqual(t - 1)
    expect(chain.aheadOfTime(29) - chain.aheadOfTime(0)).toBe(58)
    expect(simulation({ history: 'all' }).initial).toBe(256)
    expect(simulation({ history: 0 }).initial).toBe(1)
    expect(() => simulation({ blockTime: 0 })).toThrow('blockTime must be positive, not 0')
  })

  it('continues a saved chain after its head, with the blocks it would have made while down', () => {
    const first = simulation()
    const blocks = Array.from({ length: 5 }, () => first.source.next(now() - 20))
    const head = blocks.at(-1)
    if (!head) throw new Error('no block')
    const saved: DevchainState = {
      version: 1,
      chainId: devchainId,
      seed: 1,
      mode: 'simulate',
      head: headOf(head),
    }
    const again = simulation({ saved })
    expect(again.resumeAfter?.hash).toBe(head.hash)
    // Down for about 20 s at 2 s a block: about 10 blocks, not `history`.
    expect(again.initial).toBeGreaterThanOrEqual(9)
    expect(again.initial).toBeLessThanOrEqual(11)
    const next = again.source.next(now())
    expect(next?.number).toBe(head.number + 1)
    expect(next?.parentHash).toBe(head.hash)
    // A saved replay is not continued by a simulation.
    expect(simulation({ saved: { ...saved, mode: 'replay' } }).resumeAfter).toBeUndefined()
  })
})

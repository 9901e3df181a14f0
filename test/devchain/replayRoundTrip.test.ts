import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BlockNotFoundError, createPublicClient, http } from 'viem'
import { describe, expect, it } from 'vitest'
import { collectHistory } from '../../src/collect/collectHistory.js'
import { startDevchain } from '../../src/devchain/startDevchain.js'
import { nextBaseFee } from '../../src/fees/nextBaseFee.js'
import { formatHistoryCsv, HistoryFileError, parseHistoryCsv } from '../../src/history/historyCsv.js'
import { sharedData } from '../helpers/sharedData.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixture = (name: string) => resolve(here, '../fixtures', name)
/** The shared real data, read in place (never copied): ../shared/data from the project root. */
const realData = sharedData('blocks')

/** The cells of `columns` of every row of a history CSV text, as they are spelled in the file. */
function project(text: string, columns: readonly string[]): string[] {
  const [header, ...lines] = text.trim().split(/\r?\n/)
  const names = header!.split(',')
  return lines.map((line) => {
    const cells = line.split(',')
    return columns.map((c) => cells[names.indexOf(c)] ?? '').join(',')
  })
}

/** Replays `text` whole, collects the file's block range back, and returns both projections. */
async function roundTrip(text: string, options: { source?: string } = {}) {
  const parsed = parseHistoryCsv({ text, source: options.source ?? 'fixture' })
  const devchain = await startDevchain({
    replay: { rows: parsed.rows, presentColumns: parsed.presentColumns },
    history: 'all',
  })
  try {
    const first = parsed.rows[0]!.number
    const last = parsed.rows[parsed.rows.length - 1]!.number
    const collected = await collectHistory({ rpcUrl: devchain.url, from: first, to: last, concurrency: 4 })
    return {
      parsed,
      devchain,
      collected,
      expected: project(text, parsed.presentColumns),
      actual: project(formatHistoryCsv(collected.rows), parsed.presentColumns),
    }
  } finally {
    await devchain.stop()
  }
}

const gapsOf = (numbers: number[]) => {
  const gaps: number[] = []
  for (let i = 1; i < numbers.length; i++)
    for (let n = numbers[i - 1]! + 1; n < numbers[i]!; n++) gaps.push(n)
  return gaps
}

describe('replay → collect gives back the file', () => {
  for (const name of [
    'replay-all-columns.csv',
    'replay-base-fee-only.csv',
    'replay-partial.csv',
    'replay-tips.csv',
    'replay-tips-no-count.csv',
    'replay-min-max.csv',
    'replay-avg-max.csv',
  ]) {
    it(`${name}: byte-for-byte on its present columns, gaps left out`, async () => {
      const text = readFileSync(fixture(name), 'utf8')
      const { parsed, devchain, collected, expected, actual } = await roundTrip(text)
      expect(devchain.inexact).toEqual([])
      expect(actual).toEqual(expected)
      expect(collected.missing).toEqual(gapsOf(parsed.rows.map((r) => r.number)))
    })
  }

  it('synthesizes gas used so that the EIP-1559 arithmetic gives the next base fee exactly', async () => {
    const { collected } = await roundTrip(readFileSync(fixture('replay-base-fee-only.csv'), 'utf8'))
    let pairs = 0
    for (let i = 1; i < collected.rows.length; i++) {
      const [parent, child] = [collected.rows[i - 1]!, collected.rows[i]!]
      if (child.number !== parent.number + 1) continue
      pairs++
      expect(
        nextBaseFee({
          baseFeePerGas: parent.baseFeePerGas!,
          gasUsed: parent.gasUsed!,
          gasLimit: parent.gasLimit!,
        }),
      ).toBe(child.baseFeePerGas)
    }
    expect(pairs).toBeGreaterThan(30)
    // The synthesized timestamps are 12 s apart, across the gap too.
    const [a, b] = [collected.rows[0]!, collected.rows[collected.rows.length - 1]!]
    expect(b.timestamp! - a.timestamp!).toBe(12 * (b.number - a.number))
  })

  it('reports the rows that cannot round-trip, and gives back every other cell', async () => {
    const text = readFileSync(fixture('replay-inexact.csv'), 'utf8')
    const { devchain, expected, actual } = await roundTrip(text)
    expect(devchain.inexact.map((r) => r.number)).toEqual([900, 901, 902, 904, 905])
    expect(devchain.inexact.find((r) => r.number === 902)!.columns).toEqual(['tx_count'])
    expect(actual[3]).toBe(expected[3]) // block 903 is consistent
    // number and base fee come back everywhere
    expect(actual.map((l) => l.split(',').slice(0, 2).join())).toEqual(
      expected.map((l) => l.split(',').slice(0, 2).join()),
    )
  })

  it('serves blocks missing from the file as null, linking across the gap to a block it never serves', async () => {
    const devchain = await startDevchain({ replay: fixture('replay-all-columns.csv'), history: 'all' })
    try {
      const client = createPublicClient({ transport: http(devchain.url, { retryCount: 0 }) })
      expect(devchain.head()).toBe(18_000_031)
      await expect(client.getBlock({ blockNumber: 18_000_013n })).rejects.toBeInstanceOf(BlockNotFoundError)
      await expect(client.getBlock({ blockNumber: 17_999_999n })).rejects.toBeInstanceOf(BlockNotFoundError)
      const before = await client.getBlock({ blockNumber: 18_000_011n })
      const after = await client.getBlock({ blockNumber: 18_000_015n })
      expect(after.parentHash).not.toBe(before.hash)
      const next = await client.getBlock({ blockNumber: 18_000_016n })
      expect(next.parentHash).toBe(after.hash)
      expect((await client.getBlock({ blockTag: 'earliest' })).number).toBe(18_000_000n)
      // feeHistory covers the consecutive run that ends at the newest block.
      const history = await client.getFeeHistory({
        blockCount: 30,
        blockNumber: 18_000_020n,
        rewardPercentiles: [50],
      })
      expect(history.oldestBlock).toBe(18_000_015n)
      expect(history.baseFeePerGas).toHaveLength(7)
      const inGap = await client.getFeeHistory({
        blockCount: 5,
        blockNumber: 18_000_013n,
        rewardPercentiles: [50],
      })
      expect(inGap.baseFeePerGas).toEqual([])
    } finally {
      await devchain.stop()
    }
  })

  it('names the line of a bad replay file', async () => {
    const bad = startDevchain({ replay: fixture('replay-bad-cell.csv') })
    await expect(bad).rejects.toBeInstanceOf(HistoryFileError)
    await expect(bad).rejects.toMatchObject({
      line: 4,
      shortMessage: expect.stringMatching(/replay-bad-cell\.csv:4: .*base_fee_per_gas.*1\.5/),
    })
    await expect(startDevchain({ replay: fixture('replay-bad-order.csv') })).rejects.toMatchObject({
      name: 'HistoryFileError',
      line: 3,
    })
    await expect(startDevchain({ replay: fixture('no-such-file.csv') })).rejects.toBeInstanceOf(
      HistoryFileError,
    )
    await expect(startDevchain({ replay: { rows: [], presentColumns: [] } })).rejects.toBeInstanceOf(
      HistoryFileError,
    )
  })
})

describe.skipIf(realData === null)('replay → collect on slices of the real data (../shared/data)', () => {
  // Each slice includes what its file is known for: gaps and rounded fees (2022-01), jumps of a crash,
  // timestamps and tx counts (pre-merge), gas used without base fees (2026).
  const slices: [file: string, from: number, rows: number][] = [
    ['eth-2022-01-rounded.csv', 30, 50],
    ['eth-2022-05-crash-a.csv', 1000, 40],
    ['eth-2022-09-premerge.csv', 0, 30],
    ['eth-2026-02-gasused.csv', 500, 30],
  ]
  for (const [file, from, rows] of slices) {
    it(`${file}: rows ${from}..${from + rows - 1}`, async () => {
      const lines = readFileSync(resolve(realData as string, file), 'utf8')
        .trim()
        .split('\n')
      const text = `${[lines[0], ...lines.slice(1 + from, 1 + from + rows)].join('\n')}\n`
      const { parsed, devchain, collected, expected, actual } = await roundTrip(text, { source: file })
      expect(devchain.inexact).toEqual([])
      expect(actual).toEqual(expected)
      expect(collected.rows).toHaveLength(parsed.rows.length)
      expect(collected.missing).toEqual(gapsOf(parsed.rows.map((r) => r.number)))
      if (!parsed.presentColumns.includes('gas_used')) {
        // Synthesized gas used (and drifting limits) reproduce every next base fee of the file.
        for (let i = 1; i < collected.rows.length; i++) {
          const [p, c] = [collected.rows[i - 1]!, collected.rows[i]!]
          if (c.number === p.number + 1)
            expect(
              nextBaseFee({ baseFeePerGas: p.baseFeePerGas!, gasUsed: p.gasUsed!, gasLimit: p.gasLimit! }),
            ).toBe(c.baseFeePerGas)
        }
      }
    })
  }
})

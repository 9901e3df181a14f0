import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { mainnetBlobSchedule } from '../chains/blobSchedule.js'
import { formatHistoryCsv, HistoryFileError, historyHeader, parseHistoryCsv } from './historyCsv.js'

const header = `${historyHeader},blob_gas_used,excess_blob_gas`
// Real mainnet blocks (Chainscore Labs, score-da dataset, CC BY 4.0): see test/fixtures/blobs/README.md.
const fixture = readFileSync(
  new URL('../../test/fixtures/blobs/mainnet-blob-transitions.csv', import.meta.url),
  'utf8',
)

describe('history CSV blob columns', () => {
  it('reads them as bigints, empty cells as null, and writes them back', () => {
    const text = `${header}\n100,1710338123,,,,,,,,,\n101,1710338135,,,,,,,,131072,0\n102,1710338147,7,,,,,,,786432,0\n`
    const { rows, presentColumns } = parseHistoryCsv({ text, blobSchedule: mainnetBlobSchedule })
    expect(rows[0]).toMatchObject({ blobGasUsed: null, excessBlobGas: null })
    expect(rows[2]).toMatchObject({ blobGasUsed: 786_432n, excessBlobGas: 0n })
    expect(presentColumns).toEqual([
      'number',
      'timestamp',
      'base_fee_per_gas',
      'blob_gas_used',
      'excess_blob_gas',
    ])
    expect(formatHistoryCsv(rows)).toBe(text)
  })

  it('leaves files without them as they were: no blob fields, nine columns written', () => {
    const text = `${historyHeader}\n1,,5,,,,,,\n`
    const { rows } = parseHistoryCsv({ text, blobSchedule: mainnetBlobSchedule })
    expect('blobGasUsed' in rows[0]!).toBe(false)
    expect(formatHistoryCsv(rows)).toBe(text)
  })

  it('accepts the real transitions of the fixture under the mainnet schedule', () => {
    const { rows } = parseHistoryCsv({ text: fixture, blobSchedule: mainnetBlobSchedule })
    expect(rows).toHaveLength(45)
    expect(formatHistoryCsv(rows)).toBe(fixture)
  })

  const line = (number: number, timestamp: number, used: string, excess: string) =>
    `${number},${timestamp},,,,,,,,${used},${excess}`
  const t = 1_734_631_595 // December 2024: Cancun, target 3 blobs, max 6
  const bad: [string, string, RegExp][] = [
    [
      'a negative blob gas',
      `${header}\n${line(1, t, '-131072', '0')}`,
      /:2: column "blob_gas_used" holds "-131072"/,
    ],
    [
      'a fractional excess',
      `${header}\n${line(1, t, '0', '1.5')}`,
      /:2: column "excess_blob_gas" holds "1.5"/,
    ],
    [
      'blob gas that is not whole blobs',
      `${header}\n${line(1, t, '1000', '0')}`,
      /:2: column "blob_gas_used" holds 1000, not a whole number of blobs/,
    ],
    [
      'one blob cell without the other',
      `${header}\n${line(1, t, '', '0')}`,
      /:2: column "blob_gas_used" is empty but "excess_blob_gas" is not/,
    ],
    [
      'one blob column without the other',
      `${historyHeader},blob_gas_used\n1,,,,,,,,,0`,
      /:1: the blob columns/,
    ],
    [
      'an excess no rule produces',
      `${header}\n${line(1, t, '786432', '1000000')}\n${line(2, t + 12, '0', '1393217')}`,
      /:3: column "excess_blob_gas" holds 1393217, which no blob rule produces from block 1/,
    ],
    [
      'more blobs than the fork allows',
      `${header}\n${line(1, t, String(7 * 131072), '0')}`,
      /:2: column "blob_gas_used" holds 7 blobs, more than the 6 a block may carry under cancun/,
    ],
    [
      'blob gas before the first blob fork',
      `${header}\n${line(1, 1_700_000_000, '0', '0')}`,
      /:2: column "blob_gas_used" is set at timestamp 1700000000, before the schedule's first blob fork \(cancun/,
    ],
  ]
  it.each(bad)('refuses %s, naming the line and column', (_name, text, message) => {
    const parse = () => parseHistoryCsv({ text, source: 'f.csv', blobSchedule: mainnetBlobSchedule })
    expect(parse).toThrowError(HistoryFileError)
    expect(parse).toThrowError(message)
  })

  it('names the expected excess of every rule of the fork', () => {
    // Parent: excess 1,000,000 and 6 blobs; Cancun's target is 3 blobs, so the child must have 1,393,216.
    const text = `${header}\n${line(1, t, '786432', '1000000')}\n${line(2, t + 12, '0', '1393215')}`
    expect(() => parseHistoryCsv({ text, source: 'f.csv', blobSchedule: mainnetBlobSchedule })).toThrowError(
      'f.csv:3: column "excess_blob_gas" holds 1393215, which no blob rule produces from block 1 (excess 1000000, blob gas used 786432): expected 1393216 under cancun (target 3, max 6 blobs)',
    )
    const osaka = 1_764_800_927
    const reserve = `${header}\n${line(1, osaka, '393216', '38753609')}\n${line(2, osaka + 12, '0', '38753610')}`
    expect(() => parseHistoryCsv({ text: reserve, blobSchedule: mainnetBlobSchedule })).toThrowError(
      /expected 38360393 or 38884681 \(EIP-7918 reserve\) under osaka/,
    )
  })

  it('checks transitions only against a schedule it is given (a file names no chain)', () => {
    const text = `${header}\n${line(1, t, '786432', '1000000')}\n${line(2, t + 12, '0', '5')}`
    expect(parseHistoryCsv({ text }).rows).toHaveLength(2)
  })
})

import { describe, expect, it } from 'vitest'
import {
  consecutiveRuns,
  formatHistoryCsv,
  HistoryFileError,
  historyHeader,
  parseHistoryCsv,
} from './historyCsv.js'

const ok = `${historyHeader}\n100,1700000000,1000,15,30,2,1,2,3\n101,,1100,,,,,,\n103,1700000024,900,0,30,0,,,\n`

describe('parseHistoryCsv', () => {
  it('parses rows, empty cells as null, and reports the present columns', () => {
    const { rows, presentColumns } = parseHistoryCsv({ text: ok })
    expect(rows).toHaveLength(3)
    expect(rows[1]).toEqual({
      number: 101,
      timestamp: null,
      baseFeePerGas: 1100n,
      gasUsed: null,
      gasLimit: null,
      txCount: null,
      minPriorityFee: null,
      avgPriorityFee: null,
      maxPriorityFee: null,
    })
    expect(presentColumns).toContain('max_priority_fee')
  })
  it('round-trips through formatHistoryCsv', () => {
    expect(formatHistoryCsv(parseHistoryCsv({ text: ok }).rows)).toBe(ok)
  })
  it('finds runs of consecutive blocks', () => {
    const runs = consecutiveRuns(parseHistoryCsv({ text: ok }).rows)
    expect(runs.map((r) => r.map((x) => x.number))).toEqual([[100, 101], [103]])
  })

  const bad: Array<[string, string, RegExp]> = [
    ['empty file', '', /empty/],
    ['unknown column', 'number,base_fee,gas_used\n1,2,3', /unknown column.*"base_fee"/],
    ['no number column', 'timestamp,base_fee_per_gas\n1,2', /no "number" column/],
    ['garbage cell', `${historyHeader}\n1,,12x,,,,,,`, /:2: column "base_fee_per_gas" holds "12x"/],
    ['negative', `${historyHeader}\n1,,-5,,,,,,`, /holds "-5"/],
    ['too few cells', `${historyHeader}\n1,,5`, /:2: expected 9 cells, found 3/],
    ['unsorted', `${historyHeader}\n5,,1,,,,,,\n4,,1,,,,,,`, /:3: block 4 comes after 5/],
    ['duplicate', `${historyHeader}\n5,,1,,,,,,\n5,,1,,,,,,`, /block 5 appears twice/],
    ['blank line inside', `${historyHeader}\n5,,1,,,,,,\n\n6,,1,,,,,,`, /:3: empty line/],
  ]
  it.each(bad)('rejects %s with a message naming the problem', (_name, text, message) => {
    expect(() => parseHistoryCsv({ text, source: 'f.csv' })).toThrowError(HistoryFileError)
    expect(() => parseHistoryCsv({ text, source: 'f.csv' })).toThrowError(message)
  })
})

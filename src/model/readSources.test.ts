import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HistoryFileError, historyHeader } from '../history/historyCsv.js'
import { readSources } from './readSources.js'

async function file(name: string, text: string) {
  const dir = await mkdtemp(join(tmpdir(), 'feecast-sources-'))
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

describe('history files for train and backtest', () => {
  it('reads a good file into runs, with a content hash', async () => {
    const path = await file(
      'ok.csv',
      `${historyHeader}\n1,,100,,,,,,\n2,,105,,,,,,\n4,,110,,,,,,\n5,,111,,,,,,\n`,
    )
    const [source] = await readSources([path])
    expect(source!.name).toBe('ok')
    expect(source!.rows).toBe(4)
    expect(source!.series.map((s) => s.length)).toEqual([2, 2])
    expect(source!.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  const bad: [string, string, RegExp][] = [
    ['unsorted', `${historyHeader}\n2,,100,,,,,,\n1,,105,,,,,,\n`, /bad\.csv:3: block 1 comes after 2/],
    [
      'garbage',
      `${historyHeader}\n1,,100,,,,,,\n2,,12.5 gwei,,,,,,\n`,
      /bad\.csv:3: column "base_fee_per_gas" holds "12\.5 gwei"/,
    ],
    ['missing column', 'number,timestamp\n1,100\n', /needs base_fee_per_gas, or gas_used and gas_limit/],
    ['short row', `${historyHeader}\n1,,100,,\n`, /bad\.csv:2: expected 9 cells, found 5/],
    ['unknown column', 'number,base_fee\n1,100\n', /unknown column\(s\) "base_fee"/],
    ['empty', '', /the file is empty/],
  ]
  for (const [what, text, message] of bad)
    it(`rejects a file with ${what}, naming the line`, async () => {
      const path = await file('bad.csv', text)
      const error = await readSources([path]).catch((e) => e)
      expect(error).toBeInstanceOf(HistoryFileError)
      expect(error.message).toMatch(message)
    })

  it('says so when a file does not exist or none is given', async () => {
    await expect(readSources(['/nonexistent/x.csv'])).rejects.toThrow(/cannot read the file \(ENOENT\)/)
    await expect(readSources([])).rejects.toThrow(/no history file given/)
  })
})

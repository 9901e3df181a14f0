import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { syntheticHistoryFile } from '../../test/helpers/historyFile.js'
import { loadFeeModel } from '../model/loadFeeModel.js'
import { runTrainCommand } from './trainCommand.js'

describe('feecast train', () => {
  afterEach(() => vi.restoreAllMocks())

  it('writes model.json, weights.bin, scaling.json, a model card and a reliability diagram', async () => {
    const a = await syntheticHistoryFile({ blocks: 1500, seed: 1, name: 'a.csv' })
    const b = await syntheticHistoryFile({ blocks: 800, seed: 2, name: 'b.csv' })
    const out = join(a.dir, 'model')
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    // Leave-one-file-out figures reach the card only when named (training never reads bench/ itself).
    const loo = join(a.dir, 'loo.json')
    const looRow = { confidence: 99, withinBlocks: 10, coverage: 0.987, medianHeadroom: 0.42, samples: 1234 }
    await writeFile(
      loo,
      JSON.stringify({
        date: '2026-01-02',
        rows: [{ predictor: 'feecast', ...looRow }],
        perFile: { 'a.csv': [{ predictor: 'feecast', ...looRow }] },
      }),
    )
    await runTrainCommand({ data: [a.path, b.path], out, epochs: '2', loo })
    const card = await readFile(join(out, 'README.md'), 'utf8')
    expect(card).toContain(`feecast train --data ${a.path} ${b.path} --out ${out} --epochs 2 --loo ${loo}`)
    expect(card).toContain('| feecast | 99 |')
    expect(card).toContain('## Leave-one-file-out backtest (the honest figures)')
    expect(card).toContain('(2026-01-02)')
    expect(card).toContain('| a.csv | 98.7% / 42.0% | – / – | 1234 |')
    expect(await readFile(join(out, 'reliability.svg'), 'utf8')).toMatch(/^<svg/)
    const model = await loadFeeModel({ dir: out })
    expect(model.meta.training.files.map((f) => f.rows)).toEqual([1500, 800])
  }, 120_000)

  it('rejects bad options with a clear message', async () => {
    await expect(runTrainCommand({ data: ['x.csv'], out: '/tmp/x', epochs: 'many' })).rejects.toThrow(
      /Invalid --epochs: many/,
    )
    await expect(runTrainCommand({ data: ['x.csv'], out: '/tmp/x', horizon: '10' })).rejects.toThrow(
      /Invalid --horizon: 10/,
    )
    await expect(
      runTrainCommand({ data: ['x.csv'], out: '/tmp/x', loo: '/nonexistent/loo.json' }),
    ).rejects.toThrow(/Invalid --loo: cannot read \/nonexistent\/loo\.json as JSON/)
  })
})

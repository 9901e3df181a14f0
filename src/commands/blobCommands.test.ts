import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bpo1Time, syntheticBlobHistoryFile } from '../../test/helpers/blobHistory.js'
import { loadBlobFeeModel } from '../model/loadBlobFeeModel.js'
import { loadFeeModel } from '../model/loadFeeModel.js'
import { runBacktestBlobCommand } from './backtestBlobCommand.js'
import { runTrainBlobCommand } from './trainBlobCommand.js'

describe('feecast train --fee blob / backtest --fee blob', () => {
  afterEach(() => vi.restoreAllMocks())

  it('train writes the blob model, its card and reliability diagram; backtest --json prints exactly its rows', async () => {
    const a = await syntheticBlobHistoryFile({ blocks: 3000, seed: 1, name: 'a.csv', anchorLogFee: 18 })
    const b = await syntheticBlobHistoryFile({
      blocks: 1500,
      seed: 2,
      name: 'b.csv',
      firstTimestamp: bpo1Time,
      anchorLogFee: 16,
    })
    const out = join(a.dir, 'blobfee')
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    await runTrainBlobCommand({ data: [a.path, b.path], out, epochs: '1', stride: '1' })
    const card = await readFile(join(out, 'README.md'), 'utf8')
    expect(card).toContain('feecast train --fee blob --data')
    expect(card).toContain('| feecast | 99 |')
    expect(card).toContain('| blob-2x | – |')
    expect(await readFile(join(out, 'reliability.svg'), 'utf8')).toMatch(/^<svg/)
    const model = await loadBlobFeeModel({ dir: out })
    expect(model.meta.training.files.map((f) => f.rows)).toEqual([3000, 1500])
    expect(model.meta.featureRange?.low.length).toBe(model.meta.featureNames.length)
    expect(Object.keys(model.meta.calibrationPriors ?? {})).toContain('priced')
    // The base-fee loader refuses a blob model rather than misreading it.
    await expect(loadFeeModel({ dir: out })).rejects.toThrow(/format "feecast-blobfee-quantiles"/)

    const stdout: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk))
      return true
    })
    await runBacktestBlobCommand({ data: [a.path], json: true, model: out })
    const text = stdout.join('')
    expect(text.trim().split('\n')).toHaveLength(1)
    const parsed = JSON.parse(text) as { rows: Record<string, unknown>[] }
    expect(Object.keys(parsed)).toEqual(['rows'])
    const feecast = parsed.rows.filter((r) => r.predictor === 'feecast')
    expect(feecast).toHaveLength(20)
    expect(new Set(parsed.rows.map((r) => r.predictor))).toEqual(new Set(['feecast', 'blob-1x', 'blob-2x']))
    for (const r of parsed.rows) {
      expect(Object.keys(r).sort()).toEqual([
        'confidence',
        'coverage',
        'coverageAll',
        'medianHeadroom',
        'predictor',
        'samples',
        'samplesAll',
        'withinBlocks',
      ])
      expect(r.samplesAll as number).toBeGreaterThanOrEqual(r.samples as number)
      expect(r.coverageAll as number).toBeGreaterThanOrEqual(0)
      expect(r.coverageAll as number).toBeLessThanOrEqual(1)
    }
  }, 180_000)

  it('takes the schedule from --blob-schedule, and refuses a chain without one', async () => {
    const { dir, path } = await syntheticBlobHistoryFile({ blocks: 300, seed: 3, anchorLogFee: 18 })
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    await expect(runBacktestBlobCommand({ data: [path], chainId: 8453, json: true })).rejects.toThrow(
      /Chain 8453 has no built-in blob schedule/,
    )
    // A schedule whose Cancun is 4 / 8 blobs: the file's transitions (3 / 6) no longer follow, line named.
    const schedule = join(dir, 'schedule.json')
    await writeFile(
      schedule,
      JSON.stringify({
        forks: [{ name: 'other', activationTime: 1, target: 4, max: 8, baseFeeUpdateFraction: 3338477 }],
      }),
    )
    await expect(
      runBacktestBlobCommand({ data: [path], blobSchedule: schedule, json: true }),
    ).rejects.toThrow(/blobs\.csv:3: column "excess_blob_gas" holds \d+, which no blob rule produces/)
    await expect(
      runBacktestBlobCommand({ data: [path], blobSchedule: join(dir, 'missing.json') }),
    ).rejects.toThrow(/missing\.json: cannot read the file/)
  })
})

import { afterEach, describe, expect, it, vi } from 'vitest'
import { syntheticHistoryFile } from '../../test/helpers/historyFile.js'
import { runBacktestCommand } from './backtestCommand.js'

describe('feecast backtest', () => {
  afterEach(() => vi.restoreAllMocks())

  it('--json prints exactly one JSON object with every predictor, confidence and horizon, and nothing else', async () => {
    const { path } = await syntheticHistoryFile({ blocks: 400, seed: 4 })
    const out: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk))
      return true
    })
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    await runBacktestCommand({ data: [path], json: true })
    const text = out.join('')
    const parsed = JSON.parse(text) as { rows: Record<string, unknown>[] }
    expect(Object.keys(parsed)).toEqual(['rows'])
    const feecast = parsed.rows.filter((r) => r.predictor === 'feecast')
    expect(feecast).toHaveLength(20)
    for (const p of [50, 70, 90, 95, 99])
      for (const n of [3, 5, 10, 20])
        expect(feecast.some((r) => r.confidence === p && r.withinBlocks === n)).toBe(true)
    const baselines = parsed.rows.filter((r) => r.predictor !== 'feecast')
    expect(new Set(baselines.map((r) => r.predictor))).toEqual(
      new Set(['viem', 'ethers', 'metamask-low', 'metamask-medium', 'metamask-high']),
    )
    for (const r of baselines) expect(r.confidence).toBeNull()
    for (const r of parsed.rows) {
      expect(Object.keys(r).sort()).toEqual([
        'confidence',
        'coverage',
        'medianHeadroom',
        'predictor',
        'samples',
        'withinBlocks',
      ])
      expect(r.coverage as number).toBeGreaterThanOrEqual(0)
      expect(r.coverage as number).toBeLessThanOrEqual(1)
    }
    expect(text.trim().split('\n')).toHaveLength(1)
  }, 60_000)
})

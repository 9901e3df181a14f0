import { at } from '../lib/at.js'
import type { BacktestRow } from './walkForward.js'

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–')

/**
 * The backtest as a table: per horizon, feecast's coverage and median headroom at each confidence, then
 * each baseline. `markdown` for model cards, plain aligned text for a terminal.
 */
export function formatRows(
  rows: readonly BacktestRow[],
  { markdown = false }: { markdown?: boolean } = {},
): string {
  const header = ['predictor', 'p', 'N', 'coverage', 'median headroom', 'samples']
  const body = rows.map((r) => [
    r.predictor,
    r.confidence === null ? '–' : String(r.confidence),
    String(r.withinBlocks),
    pct(r.coverage),
    pct(r.medianHeadroom),
    String(r.samples),
  ])
  if (markdown) {
    return [
      `| ${header.join(' | ')} |`,
      `|${header.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`,
      ...body.map((cells) => `| ${cells.join(' | ')} |`),
    ].join('\n')
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => at(b, i).length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 1 ? c.padEnd(at(widths, i)) : c.padStart(at(widths, i)))).join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

/**
 * A compact grid: one line per predictor and confidence, one column per horizon, "coverage / headroom".
 */
export function formatGrid(
  rows: readonly BacktestRow[],
  { markdown = false }: { markdown?: boolean } = {},
): string {
  const horizons = [...new Set(rows.map((r) => r.withinBlocks))].sort((a, b) => a - b)
  const keys: { predictor: string; confidence: number | null }[] = []
  for (const r of rows)
    if (!keys.some((k) => k.predictor === r.predictor && k.confidence === r.confidence))
      keys.push({ predictor: r.predictor, confidence: r.confidence })
  const header = ['predictor', 'p', ...horizons.map((n) => `N=${n} coverage / headroom`)]
  const body = keys.map((k) => [
    k.predictor,
    k.confidence === null ? '–' : String(k.confidence),
    ...horizons.map((n) => {
      const r = rows.find(
        (x) => x.predictor === k.predictor && x.confidence === k.confidence && x.withinBlocks === n,
      )
      return r ? `${pct(r.coverage)} / ${pct(r.medianHeadroom)}` : '–'
    }),
  ])
  if (markdown)
    return [
      `| ${header.join(' | ')} |`,
      `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
      ...body.map((c) => `| ${c.join(' | ')} |`),
    ].join('\n')
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => at(b, i).length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 1 ? c.padEnd(at(widths, i)) : c.padStart(at(widths, i)))).join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

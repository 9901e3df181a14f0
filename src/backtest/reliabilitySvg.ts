import { at } from '../lib/at.js'
import type { BacktestRow } from './walkForward.js'

export type ReliabilitySvgParameters = {
  rows: readonly BacktestRow[]
  predictor?: string
  /** A second predictor drawn dashed (e.g. the uncalibrated model). */
  compare?: string
  title?: string
  /** Lowest confidence on the axes (percent). */
  from?: number
}

const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b']

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Where things go: both axes on the miss-rate scale -log10(1 - p), from `from` to 99.9 %. */
function diagramScale(from: number) {
  const W = 600
  const Hh = 500
  const m = { left: 64, right: 150, top: 44, bottom: 54 }
  const pw = W - m.left - m.right
  const ph = Hh - m.top - m.bottom
  const top = 99.9
  const t = (p: number) => -Math.log10(1 - Math.min(top, Math.max(from, p)) / 100)
  const x = (p: number) => m.left + ((t(p) - t(from)) / (t(top) - t(from))) * pw
  const y = (c: number) => m.top + ph - ((t(c) - t(from)) / (t(top) - t(from))) * ph
  return { W, Hh, m, pw, ph, top, from, x, y }
}

type Scale = ReturnType<typeof diagramScale>

const f = (v: number) => v.toFixed(1)

/** The frame: title, the ±1.5-point band around the diagonal, the diagonal, ticks and axis labels. */
function frame(s: Scale, title: string): string[] {
  const { W, Hh, m, pw, ph, top, from, x, y } = s
  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${Hh}" viewBox="0 0 ${W} ${Hh}" font-family="sans-serif" font-size="12">`,
  )
  out.push(`<rect width="${W}" height="${Hh}" fill="white"/>`)
  out.push(
    `<text x="${m.left + pw / 2}" y="24" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  )
  // the ±1.5-point band around the diagonal, sampled along it
  const grid: number[] = []
  for (let p = from; p <= 99.5; p += 0.5) grid.push(p)
  grid.push(99.9)
  const upper = grid.map((p) => `${f(x(p))},${f(y(Math.min(top, p + 1.5)))}`)
  const lower = [...grid].reverse().map((p) => `${f(x(p))},${f(y(p - 1.5))}`)
  out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="#eeeeee"/>`)
  out.push(
    `<line x1="${f(x(from))}" y1="${f(y(from))}" x2="${f(x(top))}" y2="${f(y(top))}" stroke="#888" stroke-dasharray="4 3"/>`,
  )
  for (const tick of [50, 70, 80, 90, 95, 98, 99, 99.5, 99.9]) {
    if (tick < from) continue
    out.push(
      `<line x1="${f(x(tick))}" y1="${m.top + ph}" x2="${f(x(tick))}" y2="${m.top + ph + 5}" stroke="black"/>`,
    )
    out.push(`<text x="${f(x(tick))}" y="${m.top + ph + 18}" text-anchor="middle">${tick}</text>`)
    out.push(`<line x1="${m.left - 5}" y1="${f(y(tick))}" x2="${m.left}" y2="${f(y(tick))}" stroke="black"/>`)
    out.push(`<text x="${m.left - 8}" y="${f(y(tick) + 4)}" text-anchor="end">${tick}</text>`)
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`)
  out.push(`<text x="${m.left + pw / 2}" y="${Hh - 14}" text-anchor="middle">stated confidence p (%)</text>`)
  out.push(
    `<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">realised coverage (%), 100 drawn at 99.9</text>`,
  )
  return out
}

/** One predictor's line for horizon `n` (points on the solid one), or nothing without rows. */
function horizonLine(
  s: Scale,
  rows: readonly BacktestRow[],
  name: string,
  n: number,
  color: string,
  dashed: boolean,
): string[] {
  const { from, x, y } = s
  const pts = rows
    .filter(
      (r): r is typeof r & { confidence: number } =>
        r.predictor === name && r.withinBlocks === n && r.confidence !== null && r.confidence >= from,
    )
    .sort((a, b) => a.confidence - b.confidence)
  if (pts.length === 0) return []
  const out = [
    `<polyline fill="none" stroke="${color}" stroke-width="${dashed ? 1 : 2}"${dashed ? ' stroke-dasharray="5 3"' : ''} points="${pts.map((r) => `${f(x(r.confidence))},${f(y(r.coverage * 100))}`).join(' ')}"/>`,
  ]
  if (!dashed)
    for (const r of pts)
      out.push(`<circle cx="${f(x(r.confidence))}" cy="${f(y(r.coverage * 100))}" r="3" fill="${color}"/>`)
  return out
}

/** The legend below the horizons': the compared predictor's dashes and the band. */
function legendFooter(s: Scale, horizons: number, compare: string | undefined): string[] {
  const { m, pw } = s
  const out: string[] = []
  const ly = m.top + 10 + horizons * 18 + 8
  if (compare) {
    out.push(
      `<line x1="${m.left + pw + 12}" y1="${ly}" x2="${m.left + pw + 32}" y2="${ly}" stroke="black" stroke-dasharray="5 3"/>`,
    )
    out.push(
      `<text x="${m.left + pw + 38}" y="${ly + 4}">${escapeXml(compare.replace('feecast-', ''))}</text>`,
    )
  }
  out.push(`<rect x="${m.left + pw + 12}" y="${ly + 14}" width="20" height="10" fill="#eeeeee"/>`)
  out.push(`<text x="${m.left + pw + 38}" y="${ly + 23}">±1.5 points</text>`)
  return out
}

/**
 * A reliability diagram as SVG: stated confidence against realised coverage, one line per horizon, the
 * diagonal and the ±1.5-point band of the target. Both axes are on a miss-rate scale (-log10(1 - p)),
 * so 90, 99 and 99.9 % sit evenly apart and the levels a wallet cares about are not squeezed into a
 * corner. Pure string building, no dependencies.
 */
export function reliabilitySvg({
  rows,
  predictor = 'feecast',
  compare,
  title = 'Reliability of maxFee',
  from = 50,
}: ReliabilitySvgParameters): string {
  const s = diagramScale(from)
  const { m, pw } = s
  const out = frame(s, title)
  const horizons = [
    ...new Set(rows.filter((r) => r.predictor === predictor).map((r) => r.withinBlocks)),
  ].sort((a, b) => a - b)
  horizons.forEach((n, i) => {
    const color = at(colors, i % colors.length)
    out.push(...horizonLine(s, rows, predictor, n, color, false))
    if (compare) out.push(...horizonLine(s, rows, compare, n, color, true))
    const ly = m.top + 10 + i * 18
    out.push(
      `<line x1="${m.left + pw + 12}" y1="${ly}" x2="${m.left + pw + 32}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
    )
    out.push(`<text x="${m.left + pw + 38}" y="${ly + 4}">N = ${n}</text>`)
  })
  out.push(...legendFooter(s, horizons.length, compare))
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

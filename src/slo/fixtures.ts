import { at } from '../lib/at.js'
import { num } from './windows.js'

/**
 * promtool's expanding notation for a series sampled every interval: runs of a constant step become
 * `start+stepxN` (N + 1 values), e.g. [0, 6, 12, 18, 18] -> `0+6x3 18+0x0`.
 */
export function expandingNotation(values: number[]): string {
  const terms: string[] = []
  let i = 0
  while (i < values.length) {
    const start = at(values, i)
    if (i + 1 >= values.length) {
      terms.push(`${num(start)}+0x0`)
      break
    }
    const step = Number(num(at(values, i + 1) - start))
    let j = i + 1
    while (j + 1 < values.length && Number(num(at(values, j + 1) - at(values, j))) === step) j++
    terms.push(`${num(start)}${step < 0 ? '-' : '+'}${num(Math.abs(step))}x${j - i}`)
    i = j + 1
  }
  return terms.join(' ')
}

/** A counter that starts at 0 and grows by `increments[m]` at minute m (increments[0] is ignored). */
export function counterValues(increments: number[]): string {
  const values: number[] = []
  let v = 0
  for (let m = 0; m < increments.length; m++) {
    if (m > 0) v = Number(num(v + at(increments, m)))
    values.push(v)
  }
  return expandingNotation(values)
}

/** Builds a series selector from a metric name and labels, in a stable order. */
export function series(metric: string, labels: Record<string, string>): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')
  return `${metric}{${body}}`
}

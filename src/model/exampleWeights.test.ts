import { describe, expect, it } from 'vitest'
import type { ExampleSet } from './examples.js'
import { exampleWeights } from './exampleWeights.js'

/** 90 examples from source 0 and 10 from source 1. */
const set: ExampleSet = {
  count: 100,
  features: new Float32Array(0),
  runMax: new Float32Array(0),
  marginal: new Float32Array(0),
  source: Int32Array.from({ length: 100 }, (_, i) => (i < 90 ? 0 : 1)),
  block: new Float64Array(100),
}

const totals = (w: Float32Array) =>
  [0, 1].map((s) => w.reduce((a, x, i) => a + (set.source[i] === s ? x : 0), 0))

describe('exampleWeights', () => {
  it('balance 1 weighs every example alike', () => {
    expect(new Set(exampleWeights(set, 1))).toEqual(new Set([1]))
  })

  it('balance 0 weighs every source alike', () => {
    const [a, b] = totals(exampleWeights(set, 0))
    expect(a).toBeCloseTo(1, 5)
    expect(b).toBeCloseTo(1, 5)
  })

  it('balance 0.5 gives each source a total that grows as the square root of its size', () => {
    const [a, b] = totals(exampleWeights(set, 0.5))
    expect(a! / b!).toBeCloseTo(Math.sqrt(90 / 10), 4)
    const w = exampleWeights(set, 0.5)
    // Within a source every example weighs the same.
    expect(w[0]).toBe(w[89])
    expect(w[90]).toBe(w[99])
  })
})

import { describe, expect, it } from 'vitest'
import type { ExampleSet } from './examples.js'
import { fitFeatureScaling, minFeatureStd, standardise } from './standardise.js'

/** A set of `rows` (features per row as given); targets are not read here. */
const setOf = (rows: number[][]): ExampleSet => ({
  count: rows.length,
  features: Float32Array.from(rows.flat()),
  runMax: new Float32Array(0),
  marginal: new Float32Array(0),
  source: new Int32Array(rows.length),
  block: new Float64Array(rows.length),
})

describe('standardise', () => {
  it('takes means and standard deviations from the training set, per feature', () => {
    const scaling = fitFeatureScaling(
      setOf([
        [1, 10, 5],
        [3, 30, 5],
        [5, 20, 5],
      ]),
    )
    expect(scaling.mean).toEqual([3, 20, 5])
    expect(scaling.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12)
    expect(scaling.std[1]).toBeCloseTo(Math.sqrt(200 / 3), 12)
    // A constant feature gets the floor, not zero (no division by zero later).
    expect(scaling.std[2]).toBe(minFeatureStd)
  })

  it('maps the training set to mean 0 and deviation 1, and any other set with the training scaling', () => {
    const train = setOf([
      [1, 10],
      [3, 30],
      [5, 20],
      [7, 40],
    ])
    const scaling = fitFeatureScaling(train)
    const x = standardise(train, scaling)
    for (let j = 0; j < 2; j++) {
      const column = [0, 1, 2, 3].map((i) => x[i * 2 + j]!)
      const mean = column.reduce((a, b) => a + b, 0) / 4
      const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / 4
      expect(mean).toBeCloseTo(0, 6)
      expect(variance).toBeCloseTo(1, 6)
    }
    // Validation never moves the scaling: its values are read in the training units.
    const validation = standardise(setOf([[4, 25]]), scaling)
    expect(validation[0]).toBeCloseTo((4 - 4) / Math.sqrt(5), 6)
    expect(validation[1]).toBeCloseTo((25 - 25) / Math.sqrt(125), 6)
    expect(standardise(setOf([[9, 0]]), scaling)[0]).toBeCloseTo(5 / Math.sqrt(5), 6)
  })
})

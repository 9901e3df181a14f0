import { describe, expect, it } from 'vitest'
import { at, cell, last, outOfRange } from './at.js'
import { IndexOutOfRangeError } from './errors.js'

describe('at', () => {
  it('reads elements in range, including falsy ones', () => {
    expect(at([3, 0, -1], 1)).toBe(0)
    expect(at(new Float64Array([1.5, 2.5]), 1)).toBe(2.5)
    expect(at([null], 0)).toBeNull()
    expect(
      cell(
        [
          [1, 2],
          [3, 4],
        ],
        1,
        0,
      ),
    ).toBe(3)
    expect(last(['a', 'b'])).toBe('b')
  })

  it('names the index and the length when the index is out of range', () => {
    expect(() => at([1, 2], 2)).toThrow(IndexOutOfRangeError)
    expect(() => at([1, 2], -1)).toThrow('index -1 is outside 0..1')
    expect(() => cell([[1]], 0, 3)).toThrow('index 3 is outside 0..0')
    expect(() => last([])).toThrow(IndexOutOfRangeError)
    let caught: unknown
    try {
      at(new Float64Array(4), 7)
    } catch (error) {
      caught = error
    }
    expect(caught).toMatchObject({ name: 'IndexOutOfRangeError', index: 7, length: 4 })
  })
  it('reads at the call site with outOfRange as the fallback, which throws the same error', () => {
    const xs = new Float64Array([0, Number.NaN])
    expect(xs[1] ?? outOfRange(xs, 1)).toBeNaN()
    expect(xs[0] ?? outOfRange(xs, 0)).toBe(0)
    expect(() => xs[2] ?? outOfRange(xs, 2)).toThrow('index 2 is outside 0..1')
  })
})

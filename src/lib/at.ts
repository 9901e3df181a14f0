import { IndexOutOfRangeError } from './errors.js'

/**
 * The element at index `i` of `xs`, where the algorithm guarantees `i` is in range. It throws
 * IndexOutOfRangeError instead of letting `undefined` turn into NaN.
 *
 * Per-block and per-request loops read `xs[i] ?? outOfRange(xs, i)` instead: one shared `at` sees every
 * kind of array (Float64Array, Float32Array, number[], records), and where V8 does not inline it its
 * element load goes megamorphic (a predictor profile spent 13 % of its time in it). Written at the call
 * site, the load stays specialised. Only for elements that cannot be null (`??` would take a stored
 * null for a missing element).
 */
export function at<T>(xs: ArrayLike<T>, i: number): T {
  const x = xs[i]
  if (x === undefined) return outOfRange(xs, i)
  return x
}

/** The cell at row `i`, column `j` of a grid of rows (see at). */
export function cell<T>(rows: ArrayLike<ArrayLike<T>>, i: number, j: number): T {
  return at(at(rows, i), j)
}

/** The last element of a list that the algorithm guarantees is not empty (see at). */
export function last<T>(xs: ArrayLike<T>): T {
  return at(xs, xs.length - 1)
}

/** Throws IndexOutOfRangeError for index `i` of `xs` (see at). */
export function outOfRange(xs: ArrayLike<unknown>, i: number): never {
  throw new IndexOutOfRangeError(i, xs.length)
}

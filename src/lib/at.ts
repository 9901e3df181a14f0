import { IndexOutOfRangeError } from './errors.js'

/**
 * The element at index `i` of `xs`, where the algorithm guarantees `i` is in range (numeric kernels that
 * walk their own arrays). It throws IndexOutOfRangeError instead of letting `undefined` turn into NaN.
 * Small enough for V8 to inline; the throw lives in its own function so the fast path stays tiny.
 */
export function at<T>(xs: ArrayLike<T>, i: number): T {
  const x = xs[i]
  if (x === undefined) return outOfRange(i, xs.length)
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

function outOfRange(index: number, length: number): never {
  throw new IndexOutOfRangeError(index, length)
}

export type FakeExponentialParameters = {
  factor: bigint
  numerator: bigint
  denominator: bigint
}

/**
 * factor · e^(numerator / denominator) in integers, exactly as EIP-4844 specifies it (a Taylor series whose
 * every term is floored): the blob base fee is this, so a client that used Math.exp would be off by wei.
 */
export function fakeExponential({ factor, numerator, denominator }: FakeExponentialParameters): bigint {
  if (denominator <= 0n)
    throw new RangeError(`fakeExponential: denominator must be positive, got ${denominator}`)
  if (numerator < 0n || factor < 0n)
    throw new RangeError('fakeExponential: factor and numerator must not be negative')
  let output = 0n
  let accumulator = factor * denominator
  // denominator · i, kept as a running sum (one bigint addition instead of a counter and a product).
  let divisor = denominator
  while (accumulator > 0n) {
    output += accumulator
    accumulator = (accumulator * numerator) / divisor
    divisor += denominator
  }
  return output / denominator
}

import { describe, expect, it } from 'vitest'
import { BlockUnavailableError } from './errors.js'
import { failingReason } from './failingReason.js'

describe('failingReason', () => {
  it("finds feecast's error behind a wrapper, and leaves the ask counter out so retries read the same", () => {
    const wrapped = (times: number) =>
      new Error('viem: request failed for https://host/key', { cause: new BlockUnavailableError(263, times) })
    expect(failingReason(wrapped(1))).toMatch(/^the node does not have block 263: A lagging backend/)
    expect(failingReason(wrapped(2))).toBe(failingReason(wrapped(1)))
    expect(failingReason(new Error('something else'))).toBe('unexpected error')
  })
})

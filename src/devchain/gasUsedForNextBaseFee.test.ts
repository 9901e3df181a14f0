import { describe, expect, it } from 'vitest'
import { nextBaseFee } from '../fees/nextBaseFee.js'
import { createRandom } from '../lib/random.js'
import { gasUsedForNextBaseFee } from './gasUsedForNextBaseFee.js'

describe('gasUsedForNextBaseFee', () => {
  it('recovers the gas used of real EIP-1559 steps exactly when the base fee is small', () => {
    const random = createRandom(3)
    for (let i = 0; i < 500; i++) {
      const baseFeePerGas = BigInt(1 + random.int(100_000_000))
      const gasLimit = 30_000_000n
      const gasUsed = BigInt(random.int(30_000_001))
      const child = nextBaseFee({ baseFeePerGas, gasUsed, gasLimit })
      const solved = gasUsedForNextBaseFee({ baseFeePerGas, nextBaseFeePerGas: child, gasLimit })
      expect(solved.exact).toBe(true)
      expect(nextBaseFee({ baseFeePerGas, gasUsed: solved.gasUsed, gasLimit })).toBe(child)
    }
  })

  it('hits children within ±12.5% exactly by letting the gas limit drift', () => {
    const random = createRandom(4)
    let exactCount = 0
    const tries = 200
    for (let i = 0; i < tries; i++) {
      // Up to 300 gwei every time; at 1000 gwei (one gas moves the child by ~70 wei) almost always.
      const high = i % 2 === 0
      const baseFeePerGas = BigInt(Math.floor(1e9 + random.next() * (high ? 1e12 : 3e11)))
      const change = (random.next() * 2 - 1) * 0.12
      const child = baseFeePerGas + BigInt(Math.round(Number(baseFeePerGas) * change))
      const solved = gasUsedForNextBaseFee({
        baseFeePerGas,
        nextBaseFeePerGas: child,
        gasLimit: 30_000_000n,
        gasLimitTolerance: 60_000n,
      })
      if (!high) expect(solved.exact).toBe(true)
      if (!solved.exact) continue
      exactCount++
      expect(solved.gasUsed).toBeLessThanOrEqual(solved.gasLimit)
      const drift = solved.gasLimit - 30_000_000n
      expect(drift < 0n ? -drift : drift).toBeLessThanOrEqual(60_000n)
      expect(nextBaseFee({ baseFeePerGas, gasUsed: solved.gasUsed, gasLimit: solved.gasLimit })).toBe(child)
    }
    expect(exactCount).toBeGreaterThanOrEqual(tries * 0.95)
  })

  it('keeps an unchanged base fee at the target and saturates impossible jumps', () => {
    expect(
      gasUsedForNextBaseFee({
        baseFeePerGas: 10n ** 10n,
        nextBaseFeePerGas: 10n ** 10n,
        gasLimit: 30_000_000n,
      }),
    ).toEqual({
      gasUsed: 15_000_000n,
      gasLimit: 30_000_000n,
      exact: true,
    })
    const up = gasUsedForNextBaseFee({ baseFeePerGas: 100n, nextBaseFeePerGas: 200n, gasLimit: 30_000_000n })
    expect(up).toEqual({ gasUsed: 30_000_000n, gasLimit: 30_000_000n, exact: false })
    const down = gasUsedForNextBaseFee({ baseFeePerGas: 1000n, nextBaseFeePerGas: 1n, gasLimit: 30_000_000n })
    expect(down).toEqual({ gasUsed: 0n, gasLimit: 30_000_000n, exact: false })
  })

  it('picks the closest child when no integer reproduces it with a fixed limit', () => {
    const baseFeePerGas = 100_000_000_000n
    const child = baseFeePerGas + 1_000_000_001n
    const { gasUsed, exact } = gasUsedForNextBaseFee({
      baseFeePerGas,
      nextBaseFeePerGas: child,
      gasLimit: 30_000_000n,
    })
    expect(exact).toBe(false)
    const got = nextBaseFee({ baseFeePerGas, gasUsed, gasLimit: 30_000_000n })
    const miss = got > child ? got - child : child - got
    // One gas moves the child by b / (8·T) ≈ 833 wei here: the miss is below one step.
    expect(miss).toBeLessThan(834n)
  })
})

import { describe, expect, it } from 'vitest'
import { createBlobDemand } from './simulateBlobDemand.js'

describe('createBlobDemand', () => {
  const fork = { target: 14, max: 21 }
  const draw = (seed: number, n: number) => {
    const demand = createBlobDemand({ seed })
    return Array.from({ length: n }, () => demand.nextBlobs(fork))
  }

  it('is seeded: the same seed, the same chain', () => {
    expect(draw(4, 500)).toEqual(draw(4, 500))
    expect(draw(4, 500)).not.toEqual(draw(5, 500))
  })

  it('stays within 0..max, with full blocks (bursts), quiet ones, and a mean near the target', () => {
    const blobs = draw(1, 20_000)
    expect(Math.min(...blobs)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...blobs)).toBe(fork.max)
    const mean = blobs.reduce((a, b) => a + b, 0) / blobs.length
    expect(mean).toBeGreaterThan(0.5 * fork.target)
    expect(mean).toBeLessThan(1.2 * fork.target)
    expect(blobs.filter((b) => b === fork.max).length / blobs.length).toBeGreaterThan(0.01)
    expect(blobs.filter((b) => b < fork.target / 2).length / blobs.length).toBeGreaterThan(0.05)
  })

  it('scales with the fork: the same process under Cancun (3 / 6) stays within 6', () => {
    const demand = createBlobDemand({ seed: 2 })
    const blobs = Array.from({ length: 5000 }, () => demand.nextBlobs({ target: 3, max: 6 }))
    expect(Math.max(...blobs)).toBe(6)
  })
})

import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import type { SampledBlock } from './blockToRecord.js'
import { ChainMovedError } from './errors.js'
import { findCommonAncestor } from './findCommonAncestor.js'

/** A hash on chain `fork` (0: the stored chain; others: the node's new branch). */
const hash = (n: number, fork: number): Hex => `0x${(n * 100 + fork).toString(16).padStart(64, '0')}`

/** The node's chain: block n on `fork` above `forkAt`, the stored chain at or below it. */
const nodeBlock = (n: number, fork: number, forkAt: number): SampledBlock => ({
  number: BigInt(n),
  hash: hash(n, n > forkAt ? fork : 0),
  parentHash: hash(n - 1, n - 1 > forkAt ? fork : 0),
  timestamp: BigInt(1_700_000_000 + n),
  baseFeePerGas: 1_000n,
  gasUsed: 1n,
  gasLimit: 2n,
  miner: '0x0000000000000000000000000000000000000000',
  transactions: [],
})

/** Stored hashes of the stored chain from..to (fork 0). */
const storedChain = (from: number, to: number) =>
  new Map<number, { hash: Hex | null }>(
    Array.from({ length: to - from + 1 }, (_, i) => [from + i, { hash: hash(from + i, 0) }]),
  )

/** The node's blocks, counting what the walk fetches. */
const node = (fork: number, forkAt: number, missing: ReadonlySet<number> = new Set()) => {
  const fetched: number[] = []
  return {
    fetched,
    fetchBlock: async (n: number): Promise<SampledBlock | 'gap'> => {
      fetched.push(n)
      return missing.has(n) ? 'gap' : nodeBlock(n, fork, forkAt)
    },
  }
}

describe('findCommonAncestor', () => {
  it('a tip whose parent is stored: the ancestor is its parent, nothing fetched', async () => {
    const n = node(1, 99)
    const tip = nodeBlock(100, 1, 99)
    const found = await findCommonAncestor({ tip, stored: storedChain(50, 100), lowest: 0, ...n })
    expect(found).toEqual({ ancestor: 99, branch: [tip], found: 'match' })
    expect(n.fetched).toEqual([])
  })

  it('walks back along the parent hashes to the common ancestor, fetching each replaced block once', async () => {
    const n = node(2, 95)
    const tip = nodeBlock(101, 2, 95)
    const found = await findCommonAncestor({ tip, stored: storedChain(50, 100), lowest: 0, ...n })
    expect(found.found).toBe('match')
    expect(found.ancestor).toBe(95)
    expect(found.branch.map((b) => Number(b.number))).toEqual([96, 97, 98, 99, 100, 101])
    expect(found.branch.every((b, i, all) => i === 0 || b.parentHash === all[i - 1]?.hash)).toBe(true)
    expect(found.branch[0]?.parentHash).toBe(hash(95, 0))
    expect(n.fetched).toEqual([100, 99, 98, 97, 96])
  })

  it('stops where nothing comparable is stored: a missing number or a hash-less record', async () => {
    const tip = nodeBlock(100, 3, 90)
    const stored = storedChain(50, 99)
    stored.delete(97)
    const missing = await findCommonAncestor({ tip, stored, lowest: 0, ...node(3, 90) })
    expect(missing).toMatchObject({ ancestor: 97, found: 'not-comparable' })
    expect(missing.branch.map((b) => Number(b.number))).toEqual([98, 99, 100])

    stored.set(97, { hash: null })
    const hashless = await findCommonAncestor({ tip, stored, lowest: 0, ...node(3, 90) })
    expect(hashless).toMatchObject({ ancestor: 97, found: 'not-comparable' })
  })

  it('stops at a block the node no longer has', async () => {
    const tip = nodeBlock(100, 4, 90)
    const n = node(4, 90, new Set([96]))
    const found = await findCommonAncestor({ tip, stored: storedChain(50, 99), lowest: 0, ...n })
    expect(found).toMatchObject({ ancestor: 96, found: 'gap' })
    expect(found.branch.map((b) => Number(b.number))).toEqual([97, 98, 99, 100])
  })

  it('gives up below `lowest`: deeper reorgs keep the older records', async () => {
    const tip = nodeBlock(100, 5, 10)
    const n = node(5, 10)
    const found = await findCommonAncestor({ tip, stored: storedChain(50, 99), lowest: 96, ...n })
    expect(found).toMatchObject({ ancestor: 95, found: 'too-deep' })
    expect(found.branch.map((b) => Number(b.number))).toEqual([96, 97, 98, 99, 100])
    expect(n.fetched).toEqual([99, 98, 97, 96])

    // No room at all (the deepest reorg followed is 0 blocks).
    const none = await findCommonAncestor({ tip, stored: storedChain(50, 99), lowest: 100, ...node(5, 10) })
    expect(none).toEqual({ ancestor: 99, branch: [tip], found: 'too-deep' })
  })

  it("throws ChainMovedError when the node's chain changes during the walk", async () => {
    const tip = nodeBlock(100, 6, 95)
    // The node now serves another branch below the tip: block 99 is not the tip's parent.
    const fetchBlock = async (k: number) => nodeBlock(k, 7, 95)
    await expect(
      findCommonAncestor({ tip, stored: storedChain(50, 99), lowest: 0, fetchBlock }),
    ).rejects.toBeInstanceOf(ChainMovedError)
  })
})

import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { createRefusedForks } from './refusedForks.js'

const h = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`
const storedHead = { number: 300, hash: h(1) }
/** The fork's blocks 172..300 (hashes 10172..10300), each the parent of the next. */
const branch = Array.from({ length: 129 }, (_, i) => ({ hash: h(10_172 + i) }))
const forkBlock = (n: number) => ({ hash: h(10_000 + n), parentHash: h(10_000 + n - 1) })

describe('createRefusedForks', () => {
  it('refuses a block of the remembered fork, or one built on it, against the same stored head', () => {
    const forks = createRefusedForks({ now: () => 0 })
    forks.remember(storedHead, branch, { hashedTo: 237 })
    expect(forks.refusalOf(storedHead, forkBlock(300))).toEqual({ hashedTo: 237 })
    expect(forks.refusalOf(storedHead, forkBlock(301))).toEqual({ hashedTo: 237 })
    // Another chain, or a block that links to the stored head, is walked.
    expect(forks.refusalOf(storedHead, { hash: h(7), parentHash: h(6) })).toBeUndefined()
    expect(forks.refusalOf(storedHead, { hash: h(2), parentHash: h(1) })).toBeUndefined()
  })

  it('walks again once the stored chain moved, its head differs, or the back-off ran out (doubling, bounded)', () => {
    let t = 0
    const forks = createRefusedForks({ now: () => t, recheckAfterMs: 1_000, maxRecheckAfterMs: 3_000 })
    forks.remember(storedHead, branch, {})
    expect(forks.refusalOf({ number: 300, hash: h(3) }, forkBlock(300))).toBeUndefined()
    expect(forks.refusalOf(null, forkBlock(300))).toBeUndefined()
    t = 999
    expect(forks.refusalOf(storedHead, forkBlock(300))).toEqual({})
    t = 1_000
    expect(forks.refusalOf(storedHead, forkBlock(300))).toBeUndefined()
    // Refused again by that walk: remembered twice as long, then capped.
    forks.remember(storedHead, branch, {})
    t = 2_999
    expect(forks.refusalOf(storedHead, forkBlock(300))).toEqual({})
    t = 3_000
    expect(forks.refusalOf(storedHead, forkBlock(300))).toBeUndefined()
    forks.remember(storedHead, branch, {})
    t = 6_000
    expect(forks.refusalOf(storedHead, forkBlock(300))).toBeUndefined()
    // A stored block forgets it, and the back-off starts over.
    forks.remember(storedHead, branch, {})
    forks.forget()
    expect(forks.refusalOf(storedHead, forkBlock(300))).toBeUndefined()
    forks.remember(storedHead, branch, {})
    t = 6_999
    expect(forks.refusalOf(storedHead, forkBlock(300))).toEqual({})
    t = 7_000
    expect(forks.refusalOf(storedHead, forkBlock(300))).toBeUndefined()
  })

  it('walks only a short reorg deep while a refusal holds against the stored head, then all of maxReorgDepth', () => {
    let t = 0
    const forks = createRefusedForks({ now: () => t, recheckAfterMs: 1_000, shortWalkDepth: 8 })
    expect(forks.depthToWalk(storedHead, 128)).toBe(128)
    forks.remember(storedHead, branch, {})
    // Another fork (a hostile endpoint's new one each time) costs 8 headers, not 128.
    expect(forks.depthToWalk(storedHead, 128)).toBe(8)
    expect(forks.depthToWalk(storedHead, 4)).toBe(4)
    expect(forks.depthToWalk({ number: 301, hash: h(2) }, 128)).toBe(128)
    t = 1_000
    expect(forks.depthToWalk(storedHead, 128)).toBe(128)
    forks.remember(storedHead, branch, {})
    forks.forget()
    expect(forks.depthToWalk(storedHead, 128)).toBe(128)
  })
})

import type { Hex } from 'viem'
import type { Head } from './samplerContext.js'

/** What a refused fork was refused for: enough to refuse it again with the same words. */
export type ForkRefusal = {
  /** Where the stored hashes ended, when the walk met blocks stored without one (see ReorgTooDeepError). */
  hashedTo?: number | undefined
}

export type RefusedForksParameters = {
  /** unix ms */
  now: () => number
  /** The first wait before a remembered fork is walked again; each refusal of it doubles it. Default 60 s. */
  recheckAfterMs?: number
  /** The longest wait before walking it again. Default 15 min. */
  maxRecheckAfterMs?: number
  /** How deep a walk goes while a refusal is remembered (a short reorg's depth). Default 8. */
  shortWalkDepth?: number
}

export type RefusedForks = {
  /**
   * The walk back from a tip refused the node's chain against the stored head `storedHead`: its blocks
   * (`branch`, the hashes walked) are remembered, so the same fork is not walked again for a while.
   */
  remember(storedHead: Head | null, branch: readonly { hash: Hex | null }[], refusal: ForkRefusal): void
  /**
   * The refusal, when `tip` is a block of the fork remembered (its hash or its parent's is one walked)
   * against the same stored head, and it is not yet time to walk it again; undefined: walk.
   */
  refusalOf(storedHead: Head | null, tip: { hash: Hex | null; parentHash: Hex }): ForkRefusal | undefined
  /**
   * How many blocks back a walk from a new tip may go against `storedHead`: `maxReorgDepth`, but only a
   * short reorg's depth while a refusal is remembered against that head. An endpoint that makes up a
   * new fork every time would otherwise cost a whole walk (maxReorgDepth headers) per retry; an honest
   * short reorg meanwhile is still found, and a deep one is walked whole once the back-off runs out.
   */
  depthToWalk(storedHead: Head | null, maxReorgDepth: number): number
  /** A block was stored: the stored chain moved, what was refused against it no longer says anything. */
  forget(): void
}

type Remembered = {
  storedHead: Head | null
  hashes: ReadonlySet<Hex>
  refusal: ForkRefusal
  until: number
}

const sameHead = (a: Head | null, b: Head | null) => a?.number === b?.number && a?.hash === b?.hash

/**
 * A refused deep reorg remembered. Walking back up to maxReorgDepth blocks costs that many RPC reads
 * (headers); the loop retries a refused block every few seconds, so walking a fork again on every retry
 * would let a hostile or broken endpoint turn each new head into a 128x read amplification. No I/O.
 *
 * The walk's verdict holds while the stored chain is what it was compared against, so a block of the
 * same fork is refused at once. It is walked again when a block is stored (the stored chain moved),
 * when the stored head is not the one compared against (another writer, or the chain's history
 * forgotten), or after a back-off that doubles with every walk that refuses it again (bounded), in
 * case the node's answers during the walk were what was wrong.
 */
export function createRefusedForks({
  now,
  recheckAfterMs = 60_000,
  maxRecheckAfterMs = 15 * 60_000,
  shortWalkDepth = 8,
}: RefusedForksParameters): RefusedForks {
  let remembered: Remembered | null = null
  let backOffMs = recheckAfterMs
  /** The remembered refusal while it holds against `storedHead` (its back-off not run out), else null. */
  const holding = (storedHead: Head | null): Remembered | null =>
    remembered !== null && now() < remembered.until && sameHead(remembered.storedHead, storedHead)
      ? remembered
      : null
  return {
    remember(storedHead, branch, refusal) {
      remembered = {
        storedHead,
        hashes: new Set(branch.flatMap((b) => (b.hash === null ? [] : [b.hash]))),
        refusal,
        until: now() + backOffMs,
      }
      backOffMs = Math.min(maxRecheckAfterMs, backOffMs * 2)
    },
    depthToWalk(storedHead, maxReorgDepth) {
      return holding(storedHead) ? Math.min(maxReorgDepth, shortWalkDepth) : maxReorgDepth
    },
    refusalOf(storedHead, tip) {
      const held = holding(storedHead)
      if (held === null) return undefined
      return (tip.hash !== null && held.hashes.has(tip.hash)) || held.hashes.has(tip.parentHash)
        ? held.refusal
        : undefined
    },
    forget() {
      remembered = null
      backOffMs = recheckAfterMs
    },
  }
}

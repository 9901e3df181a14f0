import type { Hex } from 'viem'
import type { SampledBlock } from './blockToRecord.js'
import { ChainMovedError } from './errors.js'

export type FindCommonAncestorParameters = {
  /** The node's block that does not extend the stored chain. */
  tip: SampledBlock
  /** Stored records below the tip, down to `lowest`, by number (numbers not stored are absent). */
  stored: ReadonlyMap<number, { hash: Hex | null }>
  /** The deepest number the walk compares (the tip less the deepest reorg followed, at least 0). */
  lowest: number
  /** The node's block at a number, or 'gap' when the node no longer has it (the sampler's block fetcher). */
  fetchBlock: (number: number) => Promise<SampledBlock | 'gap'>
}

/** Why the walk stopped where it did. */
export type AncestorFound =
  /** The stored hash at `ancestor` is the parent of the branch: the common ancestor. */
  | 'match'
  /** Nothing comparable is stored at `ancestor` (not stored, or stored without a hash from eth_feeHistory). */
  | 'not-comparable'
  /** The node no longer has block `ancestor` (pruned): older stored records cannot be compared. */
  | 'gap'
  /** The walk went past `lowest` (`ancestor` is lowest − 1) without meeting the stored chain. */
  | 'too-deep'

export type FindCommonAncestorReturnType = {
  /** Everything above this number is replaced by the branch. */
  ancestor: number
  /** The node's blocks from ancestor + 1 up to the tip, ascending. */
  branch: SampledBlock[]
  found: AncestorFound
}

/**
 * Walks back from `tip` along the node's parent hashes until a stored hash is the parent of what the
 * node has: the common ancestor of the stored chain and the node's. No I/O of its own (blocks come
 * from `fetchBlock`). Throws ChainMovedError when the node's chain changes during the walk (a fetched
 * block is not the parent the walk expects).
 */
export async function findCommonAncestor({
  tip,
  stored,
  lowest,
  fetchBlock,
}: FindCommonAncestorParameters): Promise<FindCommonAncestorReturnType> {
  const branch: SampledBlock[] = [tip]
  let expectedParent = tip.parentHash
  for (let k = Number(tip.number) - 1; k >= lowest; k--) {
    const hash = stored.get(k)?.hash ?? null
    if (hash === null) return { ancestor: k, branch, found: 'not-comparable' }
    if (hash === expectedParent) return { ancestor: k, branch, found: 'match' }
    const block = await fetchBlock(k)
    if (block === 'gap') return { ancestor: k, branch, found: 'gap' }
    if (block.hash !== expectedParent)
      throw new ChainMovedError(`the node's chain changed while walking back a reorg at block ${k}`)
    branch.unshift(block)
    expectedParent = block.parentHash
  }
  return { ancestor: Math.min(lowest, Number(tip.number)) - 1, branch, found: 'too-deep' }
}

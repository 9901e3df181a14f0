import { readBlocks } from '../store/readBlocks.js'
import { factsOfBlock, factsOfRecord } from './blockGate.js'
import { recordOfFetchedBlock, type SampledBlock } from './blockToRecord.js'
import { ChainMovedError, ReorgTooDeepError } from './errors.js'
import { type AncestorFound, findCommonAncestor } from './findCommonAncestor.js'
import type { ForkRefusal } from './refusedForks.js'
import type { SamplerContext } from './samplerContext.js'

export type RewriteReorgParameters = {
  /** The node's block that does not extend the stored chain. */
  tip: SampledBlock
  /** The node's head. */
  latest: number
  /** Deepest reorg walked back block by block. */
  maxReorgDepth: number
}

/**
 * The reorg step: `tip` is on the node's chain but does not extend the stored one. Finds the common
 * ancestor, checks the new branch like any block (all of it is stored, or none), and replaces
 * everything stored above the ancestor with it in one write. A branch that meets no stored block within
 * maxReorgDepth is refused (ReorgTooDeepError): nothing is written, so the stored chain always links.
 * A refused fork is remembered (context.refusedForks): its next blocks are refused without walking back.
 */
export async function rewriteReorg(
  context: SamplerContext,
  { tip, latest, maxReorgDepth }: RewriteReorgParameters,
): Promise<void> {
  const { chainId, logger } = context
  const tipNumber = Number(tip.number)
  const remembered = context.refusedForks.refusalOf(context.head, tip)
  if (remembered)
    throw context.gate.refuse(
      new ReorgTooDeepError({ chainId, tip: tipNumber, maxReorgDepth, ...remembered }),
    )
  await checkSameChain(context, tip)
  const oldHead = context.head?.number ?? tipNumber
  const depth = context.refusedForks.depthToWalk(context.head, maxReorgDepth)
  const lowest = Math.max(0, tipNumber - depth)
  const stored = new Map(
    (
      await context.store(
        'readBlocks',
        readBlocks(context.redis, { chainId, from: lowest, to: tipNumber - 1 }),
      )
    ).map((r) => [r.number, r]),
  )
  // Walked over headers: a walk that ends refused (a wrong node's chain, up to maxReorgDepth blocks) costs
  // headers, not whole blocks; only a branch that is written is read whole.
  const {
    ancestor,
    branch: walked,
    found,
  } = await findCommonAncestor({
    tip,
    stored,
    lowest,
    fetchBlock: (n) => context.blocks.fetchHeader(n),
  })
  if (found === 'gap')
    // Pruned below here: the walk cannot compare further back; older records stay as they are.
    logger.warn({ block: ancestor }, 'reorg walk-back reached a block the node no longer has')
  const refusal = refusalOf(found, walked, ancestor)
  if (refusal) {
    context.refusedForks.remember(context.head, walked, refusal)
    throw context.gate.refuse(
      new ReorgTooDeepError({ chainId, tip: tipNumber, maxReorgDepth, walked: depth, ...refusal }),
    )
  }
  const branch = await wholeBranch(context, walked)
  const below = stored.get(ancestor)
  const { rejected } = context.gate.admit(branch, below ? factsOfRecord(below) : null, latest)
  if (rejected) throw rejected
  const records = branch.map(recordOfFetchedBlock)
  await context.write(records, tipNumber)
  context.stored(factsOfBlock(tip))
  context.head = { number: tipNumber, hash: tip.hash }
  const replaced = Math.max(0, oldHead - ancestor)
  logger.warn(
    { ancestor, oldHead, newHead: tipNumber, replaced },
    'reorg: replaced records above the common ancestor',
  )
  context.emit({ type: 'reorg', ancestor, oldHead, newHead: tipNumber, replaced })
  context.announce(records, 'reorg')
}

/**
 * Whether the walk's end refuses the branch. Past maxReorgDepth: too deep. Down to blocks stored without a
 * hash (eth_feeHistory's backfill) after differing from every hashed one: nothing shows where the node's
 * chain meets the stored one, so writing it could leave a stored history that does not link; refused like
 * a reorg too deep. (With no hashed block stored below the tip at all, the branch is the tip alone and is
 * followed, as before.)
 */
function refusalOf(found: AncestorFound, branch: readonly unknown[], ancestor: number): ForkRefusal | null {
  if (found === 'too-deep') return {}
  if (found === 'not-comparable' && branch.length > 1) return { hashedTo: ancestor + 1 }
  return null
}

/**
 * The walked branch with its blocks read whole (their transactions give the tips); the tip, last, already
 * is. Each must be the block walked: else the node's chain moved since (ChainMovedError, and the loop
 * tries again).
 */
async function wholeBranch(
  context: SamplerContext,
  walked: readonly SampledBlock[],
): Promise<SampledBlock[]> {
  const branch: SampledBlock[] = []
  for (const [i, header] of walked.entries()) {
    if (i === walked.length - 1) {
      branch.push(header)
      continue
    }
    const block = await context.blocks.fetch(Number(header.number))
    if (block === 'gap' || !isBlockWalked(block, header))
      throw new ChainMovedError(
        `the node's chain changed while reading the reorg's branch at block ${Number(header.number)}`,
      )
    branch.push(block)
  }
  return branch
}

/**
 * Whether a block read whole is the header the walk checked: its hash and its parent's. The hash alone is
 * the endpoint's word: a hostile one could answer the walked hash over another parent, and the stored
 * chain would no longer link.
 */
export function isBlockWalked(
  block: Pick<SampledBlock, 'number' | 'hash' | 'parentHash'>,
  header: Pick<SampledBlock, 'number' | 'hash' | 'parentHash'>,
): boolean {
  return (
    block.number === header.number &&
    block.hash !== null &&
    block.hash === header.hash &&
    block.parentHash === header.parentHash
  )
}

/**
 * An endpoint that switched to another chain looks like a deep reorg: ask which chain it serves before
 * rewriting anything (the transport takes an endpoint on another chain out of use).
 */
async function checkSameChain(context: SamplerContext, tip: SampledBlock): Promise<void> {
  const seen = context.wrongChainSeen()
  const reported = await context.client.getChainId()
  if (reported !== context.chainId || context.wrongChainSeen() !== seen)
    throw new ChainMovedError(
      `the endpoint that reported a reorg at block ${Number(tip.number)} serves chain ${reported === context.chainId ? 'another' : reported}, not ${context.chainId}: nothing rewritten`,
    )
}

import { readBlocks } from '../store/readBlocks.js'
import {
  type BlockTrace,
  endBlockTrace,
  handOffBlockTrace,
  inBlockStage,
  startBlockTrace,
} from '../tracing/blockTraces.js'
import { factsOfBlock } from './blockGate.js'
import { recordOfFetchedBlock } from './blockToRecord.js'
import { forgetChainHint } from './errors.js'
import { rewriteReorg } from './rewriteReorg.js'
import type { SamplerContext } from './samplerContext.js'

/** What the loop does after a poll: wait for the next, poll again at once, or sync first. */
export type FollowOutcome = 'wait' | 'again' | 'resync'

export type CreateFollowStepParameters = {
  /** A gap up to this size is filled block by block (whole blocks); a larger one goes back to the sync step. */
  catchUpThreshold: number
  maxReorgDepth: number
  /** unix ms */
  now: () => number
  /**
   * The highest head a subscription notified since the last call, or null (none: poll eth_blockNumber).
   * The node has that block, so it is fetched at once without asking for the head number first.
   */
  takeNotifiedHead?: () => number | null
  /** How long the node may stay behind the stored head before the chain's health says so. Default 60 s. */
  behindReportAfterMs?: number
}

export type FollowStep = {
  /** One poll: stores every new block, in order, checking each extends the stored head. */
  once(): Promise<FollowOutcome>
}

/** How long the node's head has been behind the stored head, and when that was last logged. */
type Behind = { since: number; loggedAt: number }

/** The follow step: after a sync, new heads one block at a time, with reorgs rewritten as they are seen. */
export function createFollowStep(
  context: SamplerContext,
  {
    catchUpThreshold,
    maxReorgDepth,
    now,
    takeNotifiedHead = () => null,
    behindReportAfterMs = 60_000,
  }: CreateFollowStepParameters,
): FollowStep {
  let behind: Behind | null = null

  /** The node is behind the stored head: a lagging endpoint, or a reorg onto a shorter chain. */
  const nodeBehind = async (latest: number, storedHead: number): Promise<FollowOutcome> => {
    const t = now()
    if (behind === null || t - behind.loggedAt > 60_000) {
      context.logger.warn(
        { nodeHead: latest, storedHead, sinceMs: behind ? t - behind.since : 0 },
        `the node's head ${latest} is behind the stored head ${storedHead}: waiting for it (a lagging or rewound endpoint)`,
      )
      behind = { since: behind?.since ?? t, loggedAt: t }
    }
    // More than a reorg can rewind, or for long: a node still syncing, or a chain that was reset. The chain
    // goes stale either way; its health (and /readyz) says why, and names the way out of a reset.
    if (storedHead - latest > maxReorgDepth || t - behind.since >= behindReportAfterMs)
      context.failing(nodeBehindProblem(context.chainId, storedHead))
    const [stored] = await context.store(
      'readBlocks',
      readBlocks(context.redis, { chainId: context.chainId, from: latest, to: latest }),
    )
    if (stored?.hash) {
      const tip = await context.blocks.fetch(latest)
      if (tip !== 'gap' && tip.hash !== stored.hash)
        await rewriteReorg(context, { tip, latest, maxReorgDepth })
    }
    return 'wait'
  }

  return {
    async once() {
      const head = context.head
      if (head === null) return 'resync'
      const notified = takeNotifiedHead()
      // A notified head at or below the stored one came late or out of order: what it announced is stored.
      if (notified !== null && notified <= head.number) return 'wait'
      const latest = notified ?? Number(await context.client.getBlockNumber())
      if (latest < head.number) return nodeBehind(latest, head.number)
      if (behind !== null) {
        context.logger.info(
          { nodeHead: latest, behindMs: now() - behind.since },
          "the node's head caught up with the store",
        )
        behind = null
      }
      if (latest - head.number > catchUpThreshold) return 'resync'
      return storeNewBlocks(context, head.number + 1, latest, maxReorgDepth)
    },
  }
}

/** Blocks from..latest, one at a time: a block that does not extend the stored head is a reorg. */
async function storeNewBlocks(
  context: SamplerContext,
  from: number,
  latest: number,
  maxReorgDepth: number,
): Promise<FollowOutcome> {
  for (let n = from; n <= latest; n++) {
    if (context.stopping()) return 'wait'
    // One trace per block (off: null, and every stage below runs bare).
    const trace = startBlockTrace(context.chainId, n)
    const stored = await storeNewBlock(context, { n, latest, maxReorgDepth, trace }).catch(
      (error: unknown) => {
        endBlockTrace(trace, error)
        throw error
      },
    )
    if (stored !== 'stored') {
      endBlockTrace(trace)
      if (stored === 'again') return 'again'
    }
  }
  return 'wait'
}

/** Block n: fetched, checked, stored and announced ('stored'); a gap; or a reorg rewritten ('again'). */
async function storeNewBlock(
  context: SamplerContext,
  {
    n,
    latest,
    maxReorgDepth,
    trace,
  }: { n: number; latest: number; maxReorgDepth: number; trace: BlockTrace | null },
): Promise<'stored' | 'gap' | 'again'> {
  const block = await inBlockStage(trace, 'sampler.fetch', () => context.blocks.fetch(n))
  if (block === 'gap') {
    context.logger.warn({ block: n }, 'the node does not have a block below its head: it is left as a gap')
    context.head = { number: n, hash: null }
    return 'gap'
  }
  const headHash = context.head?.hash ?? null
  if (headHash !== null && block.parentHash !== headHash) {
    await rewriteReorg(context, { tip: block, latest, maxReorgDepth })
    return 'again'
  }
  const { rejected } = context.gate.admit([block], context.parent, latest)
  if (rejected) throw rejected
  const record = recordOfFetchedBlock(block)
  await inBlockStage(trace, 'redis.write_blocks', () => context.write([record]), {
    'db.system.name': 'redis',
    'db.operation.name': 'writeBlocks',
  })
  context.stored(factsOfBlock(block))
  context.head = { number: n, hash: block.hash }
  // Handed to the predictor before it is woken, so its run finds the trace.
  handOffBlockTrace(trace)
  context.announce([record], 'head')
  return 'stored'
}

/**
 * Why a chain whose node stays behind its stored head is not followed. Names the stored head only: it
 * does not move while the node is behind, so the health is not rewritten as the node's head moves.
 */
export function nodeBehindProblem(chainId: number, storedHead: number): string {
  return `the node's head stays behind the stored head ${storedHead}: a node still syncing, or a chain that was reset; ${forgetChainHint(chainId)}`
}

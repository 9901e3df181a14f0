import { pino } from 'pino'
import type { PublicClient } from 'viem'
import { describe, expect, it } from 'vitest'
import type { StoreClient } from '../store/scripts.js'
import { createFollowStep, nodeBehindProblem } from './followHeads.js'
import type { SamplerContext } from './samplerContext.js'

/**
 * The follow step against a node whose head is below the stored one. The node and Redis are stand-ins
 * (a head number, and no stored block at the node's height): what is checked is when the chain's health
 * is told, which needs no block.
 */
function nodeBelowStore(nodeHead: number, storedHead: number) {
  const problems: string[] = []
  const context = {
    chainId: 1337,
    head: { number: storedHead, hash: null },
    client: { getBlockNumber: async () => BigInt(nodeHead) } as unknown as PublicClient,
    redis: { zrangebyscore: async () => [] } as unknown as StoreClient,
    logger: pino({ level: 'silent' }),
    store: <T>(_what: string, promise: Promise<T>) => promise,
    failing: (problem: string) => problems.push(problem),
  } as unknown as SamplerContext
  return { context, problems }
}

describe('createFollowStep, the node behind the stored head', () => {
  it('waits quietly for a lagging node, then says so in the health after a minute', async () => {
    let t = 0
    const { context, problems } = nodeBelowStore(4_990, 5_000)
    const step = createFollowStep(context, { catchUpThreshold: 32, maxReorgDepth: 128, now: () => t })
    expect(await step.once()).toBe('wait')
    t = 59_999
    expect(await step.once()).toBe('wait')
    expect(problems).toEqual([])
    t = 60_000
    expect(await step.once()).toBe('wait')
    expect(problems).toEqual([nodeBehindProblem(1337, 5_000)])
  })

  it('says so at once when the node is further behind than any reorg, naming forget-chain', async () => {
    const { context, problems } = nodeBelowStore(30, 5_000)
    const step = createFollowStep(context, { catchUpThreshold: 32, maxReorgDepth: 128, now: () => 0 })
    expect(await step.once()).toBe('wait')
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(
      /stays behind the stored head 5000.*feecast forget-chain --chain-id 1337 --yes/,
    )
  })
})

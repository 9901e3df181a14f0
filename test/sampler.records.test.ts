import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSampler, type RecordKind, type Sampler } from '../src/sampler/createSampler.js'
import { type BlockAnnouncement, subscribeBlocks } from '../src/store/subscribeBlocks.js'
import { checkStoreAgainstNode, storedHeadNumber } from './support/chainTruth.js'
import { type HardhatNode, startHardhatNode } from './support/hardhatNode.js'
import { type LoadGenerator, startLoadGenerator } from './support/loadGenerator.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * The sampler against a real hardhat node under load: backfill (eth_feeHistory in two 1024-block calls plus
 * whole blocks), then following live heads; every stored record must be what the node reports.
 */
describe('sampler records match the node, block by block', () => {
  let node: HardhatNode
  let redis: TestRedis
  let load: LoadGenerator
  let sampler: Sampler
  const seen: { number: number; kind: RecordKind }[] = []
  const announcements: BlockAnnouncement[] = []

  beforeAll(async () => {
    node = await startHardhatNode({ intervalMs: 1000, blockGasLimit: 500_000, genesisSecondsAgo: 2_000 })
    redis = await startTestRedis()
    // Deep history for the eth_feeHistory backfill (hardhat_mine: empty blocks, a second apart) from a genesis
    // in the past, so the chain does not run ahead of the clock (feecast refuses blocks from the future), then a
    // few seconds of real, loaded blocks. The base fee falls through the empty blocks and rises again under
    // load by the EIP-1559 rule (setting it by fiat would be a jump feecast refuses as well).
    await node.mine(1_300)
    load = startLoadGenerator({ url: node.url, accounts: node.accounts, seed: 7 })
    const start = await node.blockNumber()
    await waitFor(async () => (await node.blockNumber()) >= start + 8, {
      timeoutMs: 30_000,
      message: '8 loaded blocks',
    })
  })

  afterAll(async () => {
    await load?.stop()
    await sampler?.stop()
    await redis?.stop()
    await node?.stop()
  })

  it('backfills, follows under load, and stores exactly what the node has', async () => {
    const client = redis.client()
    await subscribeBlocks(redis.client(), {
      chainId: node.chainId,
      onAnnouncement: (a) => announcements.push(a),
    })
    sampler = createSampler({
      chainId: node.chainId,
      redis: client,
      rpcUrls: [node.url],
      rpcTimeoutMs: 5_000,
      historyBlocks: 1_200,
      maxStoredBlocks: 5_000,
      backfillFullBlocks: 6,
      pollIntervalMs: 200,
      leaseTtlMs: 3_000,
      onRecord: (record, { kind }) => seen.push({ number: record.number, kind }),
    })
    const startedAt = await node.blockNumber()
    await sampler.start()
    // Follow at least 10 live blocks under load.
    await waitFor(async () => (await storedHeadNumber(client, node.chainId)) >= startedAt + 10, {
      timeoutMs: 60_000,
      message: 'the sampler to follow 10 live blocks',
    })
    await load.stop()
    const through = await node.blockNumber()
    await waitFor(async () => (await storedHeadNumber(client, node.chainId)) >= through, {
      timeoutMs: 30_000,
      message: `the store to reach block ${through}`,
    })

    const check = await checkStoreAgainstNode({
      redis: client,
      chainId: node.chainId,
      url: node.url,
      through,
    })
    expect(check.problems).toEqual([])
    // The window: 1200 blocks back from the node's head at start, the older ones from two eth_feeHistory calls.
    expect(check.first).toBe(startedAt - 1_200 + 1)
    expect(check.partial).toBe(1_200 - 6)
    expect(check.full).toBeGreaterThanOrEqual(16)

    // The load did its job: full blocks, a moving base fee, tips that vary.
    const records = (await client.zrange(`feecast:{${node.chainId}}:blocks`, -check.full, -1)).map((t) =>
      JSON.parse(t),
    )
    const baseFees = new Set(records.map((r) => r.baseFeePerGas))
    expect(baseFees.size).toBeGreaterThan(5)
    expect(records.some((r) => BigInt(r.gasUsed) > BigInt(r.gasLimit) / 2n)).toBe(true)
    expect(records.filter((r) => r.tips && r.tips.max !== r.tips.min).length).toBeGreaterThan(3)

    // Hooks: every record once, in order; backfill first, then live heads; announcements on the channel.
    const numbers = seen.map((s) => s.number)
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b))
    expect(new Set(numbers).size).toBe(numbers.length)
    expect(seen.filter((s) => s.kind === 'backfill').length).toBeGreaterThanOrEqual(1_200)
    expect(seen.filter((s) => s.kind === 'head').length).toBeGreaterThanOrEqual(10)
    // (the sampler is still running: the channel may be ahead of the check)
    await waitFor(() => announcements.some((a) => a.number === check.last), {
      timeoutMs: 5_000,
      message: 'the announcement of the last checked block',
    })
    const heads = announcements.map((a) => a.number)
    expect(heads).toEqual([...heads].sort((a, b) => a - b))
  })
})

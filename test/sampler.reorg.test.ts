import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSampler, type Sampler, type SamplerEvent } from '../src/sampler/createSampler.js'
import { checkStoreAgainstNode, storedHeadNumber } from './support/chainTruth.js'
import { type FaultProxy, startFaultProxy } from './support/faultProxy.js'
import { type HardhatNode, startHardhatNode } from './support/hardhatNode.js'
import { toHex } from './support/jsonRpc.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * Reorgs made with evm_snapshot / evm_revert: the node drops blocks the sampler stored and mines a different
 * chain. After each, the store must hold the new chain's records only.
 */
describe('sampler reorgs', () => {
  let node: HardhatNode
  let redis: TestRedis
  let proxy: FaultProxy
  let client: Redis
  let sampler: Sampler
  const events: SamplerEvent[] = []
  let nonce = 0

  const makeSampler = () =>
    createSampler({
      chainId: node.chainId,
      redis: client,
      rpcUrls: [proxy.url],
      rpcTimeoutMs: 1_000,
      rpcRetries: 1,
      historyBlocks: 32,
      maxStoredBlocks: 1_000,
      backfillFullBlocks: 32,
      pollIntervalMs: 100,
      leaseTtlMs: 2_000,
      onEvent: (e) => events.push(e),
    })

  /** One block with a transaction no other block has, so a re-mined height gets a different hash. */
  const mineDistinct = async () => {
    nonce++
    await node.rpc('eth_sendTransaction', [
      {
        from: node.accounts[3],
        to: node.accounts[4],
        value: toHex(1_000 + nonce),
        maxFeePerGas: toHex(10n ** 11n),
        maxPriorityFeePerGas: toHex(nonce),
      },
    ])
    await node.rpc('evm_mine')
  }

  const caughtUp = async (what: string) => {
    const target = await node.blockNumber()
    await waitFor(async () => (await storedHeadNumber(client, node.chainId)) >= target, {
      timeoutMs: 30_000,
      message: `the store to reach block ${target} (${what})`,
    })
    return target
  }

  /** The store equals the node, and none of `orphans` (old-chain hashes) is left. */
  const expectNewChainOnly = async (orphans: Set<string>) => {
    const check = await checkStoreAgainstNode({ redis: client, chainId: node.chainId, url: node.url })
    expect(check.problems).toEqual([])
    const left = [...check.hashes.values()].filter((h) => h !== null && orphans.has(h))
    expect(left).toEqual([])
  }

  const storedHashes = async (from: number, to: number) => {
    const check = await checkStoreAgainstNode({
      redis: client,
      chainId: node.chainId,
      url: node.url,
      from: Number.MAX_SAFE_INTEGER,
    })
    return new Set([...check.hashes].filter(([n]) => n >= from && n <= to).map(([, h]) => h!))
  }

  beforeAll(async () => {
    node = await startHardhatNode({ intervalMs: 0 })
    redis = await startTestRedis()
    proxy = await startFaultProxy({ target: node.url })
    client = redis.client()
    for (let i = 0; i < 10; i++) await mineDistinct()
    sampler = makeSampler()
    await sampler.start()
    await caughtUp('start')
  })

  afterAll(async () => {
    await sampler?.stop()
    await proxy?.stop()
    await redis?.stop()
    await node?.stop()
  })

  it('live, onto a shorter chain: the old blocks above the new head are removed', async () => {
    const base = await node.blockNumber()
    const snapshot = await node.snapshot()
    for (let i = 0; i < 4; i++) await mineDistinct()
    await caughtUp('old chain')
    const orphans = await storedHashes(base + 1, base + 4)
    expect(orphans.size).toBe(4)
    await node.revert(snapshot)
    await mineDistinct() // the new chain: base + 1 only, three blocks shorter
    const newHead = await node.blockNumber()
    expect(newHead).toBe(base + 1)
    await waitFor(async () => (await storedHeadNumber(client, node.chainId)) === newHead, {
      timeoutMs: 30_000,
      message: 'the store to drop the old chain above the new head',
    })
    await expectNewChainOnly(orphans)
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'reorg', ancestor: base, oldHead: base + 4, newHead }),
    )
  })

  it('while following, onto a longer chain seen at once: walks back to the common ancestor', async () => {
    const base = await node.blockNumber()
    const snapshot = await node.snapshot()
    for (let i = 0; i < 3; i++) await mineDistinct()
    await caughtUp('old chain')
    const orphans = await storedHashes(base + 1, base + 3)
    // The sampler loses sight of the node while the chain is replaced by a longer one.
    await proxy.setMode('down')
    await node.revert(snapshot)
    for (let i = 0; i < 6; i++) await mineDistinct()
    await proxy.setMode('pass')
    await caughtUp('new chain')
    await expectNewChainOnly(orphans)
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'reorg', ancestor: base, oldHead: base + 3 }),
    )
  })

  it('while the sampler was stopped: the restarted one finds the stored head reorged away', async () => {
    const base = await node.blockNumber()
    const snapshot = await node.snapshot()
    for (let i = 0; i < 3; i++) await mineDistinct()
    await caughtUp('old chain')
    const orphans = await storedHashes(base + 1, base + 3)
    await sampler.stop()
    await node.revert(snapshot)
    for (let i = 0; i < 5; i++) await mineDistinct()
    sampler = makeSampler()
    await sampler.start()
    await caughtUp('after restart')
    await expectNewChainOnly(orphans)
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'reorg', ancestor: base, oldHead: base + 3 }),
    )
  })
})

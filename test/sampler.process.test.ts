import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readLease } from '../src/store/lease.js'
import { checkStoreAgainstNode, storedHeadNumber } from './support/chainTruth.js'
import { type ChildSampler, startChildSampler } from './support/childSampler.js'
import { type FaultProxy, startFaultProxy } from './support/faultProxy.js'
import { type HardhatNode, startHardhatNode } from './support/hardhatNode.js'
import { type LoadGenerator, startLoadGenerator } from './support/loadGenerator.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/** Samplers as separate processes, as they run in production: SIGTERM mid-block, and two replicas at once. */
describe('sampler processes', () => {
  let node: HardhatNode
  let redis: TestRedis
  let load: LoadGenerator
  let client: Redis
  let proxy: FaultProxy
  const children: ChildSampler[] = []
  let chainId: number

  const spawnSampler = (owner: string, rpcUrl: string) => {
    const child = startChildSampler({
      chainId,
      rpcUrls: [rpcUrl],
      redisUrl: redis.url,
      owner,
      leaseTtlMs: 2_000,
    })
    children.push(child)
    return child
  }

  const expectConsistent = async (what: string) => {
    const through = await node.blockNumber()
    await waitFor(async () => (await storedHeadNumber(client, chainId)) >= through, {
      timeoutMs: 30_000,
      message: `the store to reach block ${through} (${what})`,
    })
    const check = await checkStoreAgainstNode({ redis: client, chainId, url: node.url, through })
    expect(check.problems, what).toEqual([])
  }

  beforeAll(async () => {
    node = await startHardhatNode({ intervalMs: 1000 })
    chainId = node.chainId
    redis = await startTestRedis()
    client = redis.client()
    proxy = await startFaultProxy({ target: node.url })
    load = startLoadGenerator({
      url: node.url,
      accounts: node.accounts,
      calmRate: 4,
      burstRate: 15,
      seed: 11,
    })
    await waitFor(async () => (await node.blockNumber()) >= 3, { timeoutMs: 30_000, message: 'a few blocks' })
  })

  afterAll(async () => {
    for (const child of children) child.process.kill('SIGKILL')
    await load?.stop()
    await proxy?.stop()
    await redis?.stop()
    await node?.stop()
  })

  it('SIGTERM mid-block: the block in progress is stored, the lease released; a new process resumes', async () => {
    const first = spawnSampler('first', proxy.url)
    await first.waitForEvent('synced', 60_000)
    await first.waitForEvent('record', 30_000, (e) => e.kind === 'head')
    // Hold the next block's fetch: the process is now mid-block.
    await proxy.setMode('hold', { fullBlocksOnly: true })
    const held = await waitFor(() => proxy.held[0], { timeoutMs: 30_000, message: 'a block fetch to hold' })
    const number = Number(BigInt(held.params[0] as string))
    first.process.kill('SIGTERM')
    await first.waitForEvent('sigterm', 10_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(first.has('exit')).toBe(false) // still finishing that block
    await proxy.setMode('pass')
    expect(await first.exited).toBe(0)
    expect(first.events.some((e) => e.event === 'record' && e.number === number)).toBe(true)
    expect(await storedHeadNumber(client, chainId)).toBeGreaterThanOrEqual(number)
    expect(await readLease(client, { chainId })).toBeNull()

    // Blocks go by with no sampler; the next one resumes from the stored head and fills the gap.
    const stoppedAt = await node.blockNumber()
    await waitFor(async () => (await node.blockNumber()) >= stoppedAt + 3, {
      timeoutMs: 30_000,
      message: 'three blocks',
    })
    const second = spawnSampler('second', node.url)
    await second.waitForEvent('leader', 60_000)
    await expectConsistent('after the restart')
    const resumed = second.events.filter((e) => e.event === 'record').map((e) => e.number!)
    expect(Math.min(...resumed)).toBe(
      Math.max(...first.events.filter((e) => e.event === 'record').map((e) => e.number!)) + 1,
    )
    second.process.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  }, 180_000)

  it('two replicas: only the leader writes; the standby takes over when the leader is killed', async () => {
    const alpha = spawnSampler('alpha', node.url)
    await alpha.waitForEvent('leader', 60_000)
    const beta = spawnSampler('beta', node.url)
    await beta.waitForEvent('standby', 60_000)
    const lease = await readLease(client, { chainId })
    expect(lease?.owner).toBe('alpha')
    // A few blocks with both running: only alpha records.
    const at = await storedHeadNumber(client, chainId)
    await waitFor(async () => (await storedHeadNumber(client, chainId)) >= at + 3, {
      timeoutMs: 30_000,
      message: 'three blocks',
    })
    expect(beta.has('record')).toBe(false)
    expect(beta.has('leader')).toBe(false)

    alpha.process.kill('SIGKILL') // no release: beta must wait out the lease
    await alpha.exited
    const takeover = await beta.waitForEvent('leader', 30_000)
    expect(Number(takeover.token!.split('|')[1])).toBeGreaterThan(lease!.epoch)
    await expectConsistent('after the takeover')
    expect(beta.has('record')).toBe(true)
    beta.process.kill('SIGTERM')
    expect(await beta.exited).toBe(0)
  }, 180_000)
})

import { Writable } from 'node:stream'
import type { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRpcClient } from '../src/rpc/createRpcClient.js'
import { createRpcCounters } from '../src/rpc/rpcCounters.js'
import { createSampler, type Sampler } from '../src/sampler/createSampler.js'
import { checkStoreAgainstNode, storedHeadNumber } from './support/chainTruth.js'
import { type FaultMode, type FaultProxy, startFaultProxy } from './support/faultProxy.js'
import { type HardhatNode, startHardhatNode } from './support/hardhatNode.js'
import { type LoadGenerator, startLoadGenerator } from './support/loadGenerator.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * Faults around a running sampler: its first RPC endpoint dies, hangs, returns garbage, errors or inconsistent
 * blocks (the second takes over); both go away for a while; Redis is SIGKILLed and restarted. After each the
 * stored history has no gaps, no duplicates, and matches the node; no log line holds an endpoint's API key.
 */
describe('sampler under faults', () => {
  let node: HardhatNode
  let redis: TestRedis
  let load: LoadGenerator
  let a: FaultProxy
  let b: FaultProxy
  let client: Redis
  let sampler: Sampler
  let logs = ''
  const counters = createRpcCounters()

  const advance = async (blocks: number, what: string) => {
    const from = await storedHeadNumber(client, node.chainId)
    await waitFor(async () => (await storedHeadNumber(client, node.chainId)) >= from + blocks, {
      timeoutMs: 30_000,
      message: `the store to advance ${blocks} blocks (${what})`,
    })
  }

  const expectConsistent = async (what: string) => {
    const through = await node.blockNumber()
    await waitFor(async () => (await storedHeadNumber(client, node.chainId)) >= through, {
      timeoutMs: 30_000,
      message: `the store to catch up to block ${through} (${what})`,
    })
    const check = await checkStoreAgainstNode({
      redis: client,
      chainId: node.chainId,
      url: node.url,
      through,
    })
    expect(check.problems, what).toEqual([])
    return check
  }

  beforeAll(async () => {
    node = await startHardhatNode({ intervalMs: 1000 })
    redis = await startTestRedis()
    a = await startFaultProxy({ target: node.url })
    b = await startFaultProxy({ target: node.url })
    client = redis.client()
    load = startLoadGenerator({ url: node.url, accounts: node.accounts, calmRate: 4, burstRate: 20, seed: 3 })
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs += chunk.toString()
        done()
      },
    })
    sampler = createSampler({
      chainId: node.chainId,
      redis: client,
      // A client of our own, for a short half-open delay: each fault phase then meets a closed circuit.
      client: createRpcClient({
        chainId: node.chainId,
        urls: [a.url, b.url],
        timeoutMs: 500,
        retries: 2,
        breakerHalfOpenAfterMs: 500,
        onCall: counters.onCall,
      }),
      historyBlocks: 16,
      maxStoredBlocks: 10_000,
      backfillFullBlocks: 16,
      pollIntervalMs: 200,
      leaseTtlMs: 3_000,
      logger: pino({ level: 'debug' }, sink),
    })
    await sampler.start()
    await advance(2, 'start')
  })

  afterAll(async () => {
    await load?.stop()
    await sampler?.stop()
    await a?.stop()
    await b?.stop()
    await redis?.stop()
    await node?.stop()
  })

  it('the first endpoint dies, hangs, returns garbage, errors, inconsistent blocks: the second takes over', async () => {
    const modes: FaultMode[] = ['down', 'hang', 'garbage', 'http-error', 'rpc-error', 'inconsistent']
    const okOnFirst = () => counters.snapshot().find((c) => c.endpoint.endsWith('#0'))?.byOutcome.ok ?? 0
    for (const mode of modes) {
      await a.setMode(mode)
      await advance(3, `endpoint #0 ${mode}`)
      await a.setMode('pass')
      await expectConsistent(`after endpoint #0 ${mode}`)
      // Endpoint #0 back in service (its circuit closed again) before the next fault.
      const ok = okOnFirst()
      await waitFor(() => okOnFirst() > ok + 2, {
        timeoutMs: 30_000,
        message: `endpoint #0 used again after ${mode}`,
      })
    }
    const first = counters.snapshot().find((c) => c.endpoint.endsWith('#0'))!
    expect(first.errors).toBeGreaterThan(0)
    expect(Object.keys(first.byOutcome)).toEqual(
      expect.arrayContaining(['network', 'timeout', 'garbage', 'http', 'rpc', 'invalid']),
    )
    expect(sampler.role).toBe('leader')
  })

  it('every endpoint unusable for a while: nothing bad is stored, and it catches up afterwards', async () => {
    // Only inconsistent answers: the sampler must store none of them.
    await a.setMode('inconsistent', { methods: ['eth_getBlockByNumber'] })
    await b.setMode('inconsistent', { methods: ['eth_getBlockByNumber'] })
    const stuckAt = await storedHeadNumber(client, node.chainId)
    const nodeAt = await node.blockNumber()
    await waitFor(async () => (await node.blockNumber()) >= nodeAt + 3, {
      timeoutMs: 30_000,
      message: 'three blocks',
    })
    expect(await storedHeadNumber(client, node.chainId)).toBeLessThanOrEqual(Math.max(stuckAt, nodeAt))
    // Then both gone.
    await a.setMode('down')
    await b.setMode('hang')
    const downAt = await node.blockNumber()
    await waitFor(async () => (await node.blockNumber()) >= downAt + 3, {
      timeoutMs: 30_000,
      message: 'three blocks',
    })
    await a.setMode('pass')
    await b.setMode('pass')
    await expectConsistent('after both endpoints came back')
  })

  it('Redis is SIGKILLed and restarted: the sampler reconnects and fills the gap', async () => {
    await advance(1, 'before the kill')
    await redis.server.kill()
    const killedAt = await node.blockNumber()
    await waitFor(async () => (await node.blockNumber()) >= killedAt + 3, {
      timeoutMs: 30_000,
      message: 'three blocks',
    })
    await redis.server.restart()
    await expectConsistent('after the Redis restart')
    await advance(2, 'after the Redis restart')
    expect(sampler.role).toBe('leader')
  })

  it('never logged an endpoint URL with its key', () => {
    expect(logs.length).toBeGreaterThan(0)
    expect(logs).not.toContain(a.secret)
    expect(logs).not.toContain(b.secret)
  })
})

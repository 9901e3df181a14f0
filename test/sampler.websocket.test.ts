import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../src/lib/logger.js'
import type { RpcCallEvent } from '../src/rpc/createRpcTransport.js'
import {
  type CreateSamplerParameters,
  createSampler,
  type RecordKind,
  type Sampler,
  type SamplerEvent,
} from '../src/sampler/createSampler.js'
import { checkStoreAgainstNode, storedHeadNumber } from './support/chainTruth.js'
import { type HardhatNode, startHardhatNode } from './support/hardhatNode.js'
import { type LoadGenerator, startLoadGenerator } from './support/loadGenerator.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'
import { startWebSocketProxy, type WebSocketProxy } from './support/webSocketProxy.js'

/**
 * The sampler following new heads over WebSocket (eth_subscribe newHeads) on a real hardhat node, which
 * serves WebSocket on its HTTP port. Faults come from a WebSocket proxy (a test double between sampler and
 * node, test/support/webSocketProxy.ts); everything it forwards is the node's.
 */
describe('sampler over WebSocket', () => {
  let node: HardhatNode
  let redis: TestRedis
  let load: LoadGenerator
  let sampler: Sampler | undefined
  let proxy: WebSocketProxy | undefined

  beforeAll(async () => {
    // No hardhat_mine: hardhat leaves the parentHash of bulk-mined blocks zero, which the sampler takes for a reorg.
    node = await startHardhatNode({ intervalMs: 1000, blockGasLimit: 500_000 })
    redis = await startTestRedis()
    load = startLoadGenerator({ url: node.url, accounts: node.accounts, seed: 11 })
  })

  afterEach(async () => {
    await sampler?.stop()
    sampler = undefined
    await proxy?.stop()
    proxy = undefined
    await redis.client().flushall()
  })

  afterAll(async () => {
    await load?.stop()
    await redis?.stop()
    await node?.stop()
  })

  const wsUrl = () => `ws://127.0.0.1:${node.port}`

  /** A sampler on `rpcUrls`, what it reports, and its logs (no redactor: nothing may need one). */
  const startSampler = async (rpcUrls: string[], extra: Partial<CreateSamplerParameters> = {}) => {
    const seen: { number: number; kind: RecordKind }[] = []
    const events: SamplerEvent[] = []
    const calls: RpcCallEvent[] = []
    let logs = ''
    const logger = createLogger(
      'debug',
      {},
      {
        destination: {
          write: (line: string) => {
            logs += line
          },
        },
      },
    )
    sampler = createSampler({
      chainId: node.chainId,
      redis: redis.client(),
      rpcUrls,
      rpcTimeoutMs: 1_000,
      rpcRetries: 2,
      historyBlocks: 30,
      maxStoredBlocks: 5_000,
      backfillFullBlocks: 8,
      pollIntervalMs: 250,
      leaseTtlMs: 3_000,
      logger,
      headSubscription: { backoffBaseMs: 100, backoffMaxMs: 1_000 },
      onRecord: (record, { kind }) => seen.push({ number: record.number, kind }),
      onEvent: (event) => events.push(event),
      onRpcCall: (call) => calls.push(call),
      ...extra,
    })
    await sampler.start()
    return { seen, events, calls, logs: () => logs }
  }

  const liveChanges = (events: SamplerEvent[]) =>
    events.flatMap((e) => (e.type === 'head-subscription' ? [e.live] : []))

  /** Waits for the stored head to pass the node's head now by `blocks`. */
  const advance = async (blocks: number, message: string) => {
    const target = (await node.blockNumber()) + blocks
    await waitFor(async () => (await storedHeadNumber(redis.client(), node.chainId)) >= target, {
      timeoutMs: 30_000,
      message,
    })
  }

  /** Heads stored live: each once, in order, consecutive (gaps filled). */
  const expectEachHeadOnce = (seen: { number: number; kind: RecordKind }[]) => {
    const heads = seen.filter((s) => s.kind === 'head').map((s) => s.number)
    expect(heads.length).toBeGreaterThan(5)
    const all = seen.map((s) => s.number)
    expect(new Set(all).size).toBe(all.length)
    expect(all).toEqual([...all].sort((a, b) => a - b))
    const first = all[0] ?? 0
    expect(all).toEqual(all.map((_, i) => first + i))
  }

  const expectStoreIsTheNodes = async () => {
    sampler && (await sampler.stop())
    sampler = undefined
    const through = await storedHeadNumber(redis.client(), node.chainId)
    const check = await checkStoreAgainstNode({
      redis: redis.client(),
      chainId: node.chainId,
      url: node.url,
      through,
    })
    expect(check.problems).toEqual([])
    return check
  }

  it('follows a real hardhat node over ws://: every block once, records equal the node, no head polling', async () => {
    const { seen, events, calls } = await startSampler([wsUrl()])
    await waitFor(() => liveChanges(events).includes(true), {
      timeoutMs: 20_000,
      message: 'a live subscription',
    })
    const live = calls.length
    await advance(10, 'ten blocks over the subscription')
    expectEachHeadOnce(seen)
    // The heads came pushed: the head number was not polled for them (only the sync step asks for it).
    const polled = calls.slice(live).filter((c) => c.method === 'eth_blockNumber').length
    const heads = seen.filter((s) => s.kind === 'head').length
    expect(polled).toBeLessThan(heads / 3)
    expect(
      calls.filter((c) => c.method === 'eth_getBlockByNumber' && c.outcome === 'ok').length,
    ).toBeGreaterThan(heads)
    expect(liveChanges(events)).toEqual([true])
    const check = await expectStoreIsTheNodes()
    expect(check.full).toBeGreaterThanOrEqual(10)
  })

  it('falls back to polling when the socket is closed, goes silent or sends garbage, and comes back', async () => {
    proxy = await startWebSocketProxy(wsUrl())
    const p = proxy
    const { seen, events, logs } = await startSampler([p.url, node.url])
    const liveCount = () => liveChanges(events).filter(Boolean).length
    const downCount = () => liveChanges(events).filter((l) => !l).length
    await waitFor(() => liveCount() === 1, { timeoutMs: 20_000, message: 'a live subscription' })
    await advance(2, 'two blocks over the subscription')

    // 1. The server closes the socket.
    p.closeAll()
    await waitFor(() => downCount() === 1, { timeoutMs: 10_000, message: 'the closed socket noticed' })
    await waitFor(() => liveCount() === 2, { timeoutMs: 20_000, message: 'resubscribed after the close' })
    await advance(2, 'two blocks after the close')

    // 2. The endpoint stops answering: the subscription stalls, the calls time out; the HTTP endpoint is polled.
    p.setMode('silent')
    await waitFor(() => downCount() === 2, { timeoutMs: 20_000, message: 'the stall noticed' })
    await advance(3, 'three blocks polled while the socket is silent')
    p.setMode('pass')
    await waitFor(() => liveCount() === 3, { timeoutMs: 30_000, message: 'resubscribed after the stall' })
    await advance(2, 'two blocks after the stall')

    // 3. A garbage frame.
    p.sendGarbage()
    await waitFor(() => downCount() === 3, { timeoutMs: 10_000, message: 'the garbage frame noticed' })
    await waitFor(() => liveCount() === 4, { timeoutMs: 20_000, message: 'resubscribed after garbage' })
    await advance(2, 'two blocks after the garbage')

    expectEachHeadOnce(seen)
    const reasons = events.flatMap((e) => (e.type === 'head-subscription' && !e.live ? [e.reason] : []))
    expect(reasons.join(' | ')).toMatch(/closed.*no head within.*not JSON/)
    await expectStoreIsTheNodes()
    expect(logs()).toContain('new-head subscription lost')
    expect(logs()).not.toContain(p.secret)
    expect(JSON.stringify(events, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(p.secret)
  })

  it('fills the gaps of a subscription that skips heads or sends them out of order, keeping order', async () => {
    proxy = await startWebSocketProxy(wsUrl())
    const p = proxy
    const { seen, events, calls } = await startSampler([p.url])
    await waitFor(() => liveChanges(events).includes(true), {
      timeoutMs: 20_000,
      message: 'a live subscription',
    })
    p.setHeads('reorder')
    await waitFor(() => p.notifications.reordered >= 3, {
      timeoutMs: 20_000,
      message: () => `three heads reordered (${JSON.stringify(p.notifications)})`,
    })
    p.setHeads('skip')
    await waitFor(() => p.notifications.dropped >= 3, { timeoutMs: 20_000, message: 'three heads skipped' })
    p.setHeads('pass')
    await advance(1, 'the store to catch up')
    expectEachHeadOnce(seen)
    // Never lost (it stayed live throughout), and the gaps were filled from the notified heads, not by polling.
    expect(liveChanges(events)).toEqual([true])
    const heads = seen.filter((s) => s.kind === 'head').length
    expect(calls.filter((c) => c.method === 'eth_blockNumber').length).toBeLessThan(heads / 3)
    await expectStoreIsTheNodes()
  })
})

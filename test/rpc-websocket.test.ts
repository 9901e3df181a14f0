import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { freePort } from '../src/lib/freePort.js'
import { createLogger } from '../src/lib/logger.js'
import { createRpcClient } from '../src/rpc/createRpcClient.js'
import { rpcUnavailableCause } from '../src/rpc/errors.js'
import { createSampler, type SamplerEvent } from '../src/sampler/createSampler.js'
import { storedHeadNumber } from './support/chainTruth.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

const secret = '9f8e7d6c5b4a39281706f5e4d3c2b1a0'

/**
 * A TEST DOUBLE of a hostile or limited WebSocket endpoint: it forwards calls to a real devchain over HTTP,
 * except that it answers eth_subscribe with "method not found" (a node without subscriptions), and, on
 * demand, answers a block with a message far over the size cap, a frame that is not JSON, a
 * notification without params, or an error with id null (what a node answers a call it could not read).
 */
async function startLimitedEndpoint(devchain: Devchain) {
  let misbehave: 'none' | 'huge' | 'garbage' | 'bad-notification' | 'echo-key' | 'null-id' = 'none'
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise((resolve) => wss.once('listening', resolve))
  wss.on('connection', (socket) => {
    socket.on('message', async (data) => {
      const call = JSON.parse(String(data))
      if (call.method === 'eth_subscribe')
        return socket.send(
          JSON.stringify({ jsonrpc: '2.0', id: call.id, error: { code: -32601, message: 'not supported' } }),
        )
      if (call.method === 'eth_getBlockByNumber' && misbehave === 'huge')
        return socket.send(
          JSON.stringify({ jsonrpc: '2.0', id: call.id, result: { extra: 'x'.repeat(3_000_000) } }),
        )
      if (call.method === 'eth_getBlockByNumber' && misbehave === 'garbage')
        return socket.send('<html>502</html>')
      if (call.method === 'eth_getBlockByNumber' && misbehave === 'echo-key')
        // The key placed across the 200 characters an error quotes, as a provider echoing the URL would.
        return socket.send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: call.id,
            error: { code: -32000, message: `${'x'.repeat(170)}${secret} for /v2/${secret}` },
          }),
        )
      if (call.method === 'eth_getBlockByNumber' && misbehave === 'null-id')
        return socket.send(
          JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }),
        )
      if (call.method === 'eth_getBlockByNumber' && misbehave === 'bad-notification')
        return socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription' }))
      const response = await fetch(devchain.url, { method: 'POST', body: String(data) })
      socket.send(await response.text())
    })
  })
  const { port } = wss.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}/v2/${secret}`,
    set: (mode: typeof misbehave) => {
      misbehave = mode
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close(() => resolve())
      }),
  }
}

describe('WebSocket endpoints', () => {
  let devchain: Devchain
  let endpoint: Awaited<ReturnType<typeof startLimitedEndpoint>>
  let redis: TestRedis

  beforeAll(async () => {
    devchain = await startDevchain({ history: 40, blockTime: 0.5 })
    endpoint = await startLimitedEndpoint(devchain)
    redis = await startTestRedis()
  })

  afterAll(async () => {
    await endpoint?.stop()
    await redis?.stop()
    await devchain?.stop()
  })

  it('bounds each message and refuses garbage, naming the endpoint by its label only', async () => {
    const client = createRpcClient({
      chainId: devchain.chainId,
      urls: [endpoint.url],
      timeoutMs: 2_000,
      retries: 0,
      maxResponseBytes: 1_000_000,
    })
    expect(Number(await client.getBlockNumber())).toBeGreaterThan(30)
    for (const [mode, kind] of [
      ['huge', 'oversized'],
      ['garbage', 'garbage'],
      ['bad-notification', 'garbage'],
    ] as const) {
      endpoint.set(mode)
      const error = await client.getBlock({ blockNumber: 3n }).catch((e: unknown) => e)
      endpoint.set('none')
      const cause = rpcUnavailableCause(error)
      expect(cause?.failures.map((f) => f.kind)).toEqual([kind])
      expect(String(error) + JSON.stringify(cause?.failures)).not.toContain(secret)
      expect(cause?.failures[0]?.endpoint).toMatch(/^127\.0\.0\.1:\d+#0$/)
      // The socket was dropped, not poisoned: the next call dials again and is answered.
      expect((await client.getBlock({ blockNumber: 3n })).number).toBe(3n)
    }
    // A provider's error that quotes the key across the cut: redacted whole before it is cut.
    endpoint.set('echo-key')
    const echoed = await client.getBlock({ blockNumber: 3n }).catch((e: unknown) => e)
    endpoint.set('none')
    const said =
      rpcUnavailableCause(echoed)
        ?.failures.map((f) => f.message)
        .join('; ') ?? ''
    expect(said).toMatch(/failed \(rpc\): JSON-RPC error -32000: x{170}\*\*\*/)
    expect(said).not.toContain(secret.slice(0, 6))
  })

  it('a call answered with id null fails at once (garbage), and the next endpoint answers it', async () => {
    // A call left to its timeout fails as 'timeout' after 12 s (the old behaviour); answered as garbage, at once.
    const timeoutMs = 12_000
    const alone = createRpcClient({ chainId: devchain.chainId, urls: [endpoint.url], timeoutMs, retries: 0 })
    const withFallback = createRpcClient({
      chainId: devchain.chainId,
      urls: [endpoint.url, devchain.url],
      timeoutMs,
      retries: 0,
    })
    expect(Number(await alone.getBlockNumber())).toBeGreaterThan(30)
    endpoint.set('null-id')
    try {
      // Failed as garbage, not left to the timeout (which fails as 'timeout'): the kind says it, no clock.
      const error = await alone.getBlock({ blockNumber: 3n }).catch((e: unknown) => e)
      expect(rpcUnavailableCause(error)?.failures.map((f) => f.kind)).toEqual(['garbage'])
      expect(JSON.stringify(rpcUnavailableCause(error)?.failures)).toContain('id null')
      // With an HTTP endpoint after it, the call is answered there.
      expect((await withFallback.getBlock({ blockNumber: 4n })).number).toBe(4n)
    } finally {
      endpoint.set('none')
    }
    // The socket was ended, not poisoned: the next call dials again and is answered.
    expect((await alone.getBlock({ blockNumber: 3n })).number).toBe(3n)
  }, 60_000)

  it('samples by polling over the socket when the endpoint does not support subscriptions', async () => {
    const events: SamplerEvent[] = []
    let logs = ''
    const sampler = createSampler({
      chainId: devchain.chainId,
      redis: redis.client(),
      rpcUrls: [endpoint.url],
      historyBlocks: 20,
      maxStoredBlocks: 1_000,
      backfillFullBlocks: 5,
      pollIntervalMs: 200,
      leaseTtlMs: 2_000,
      headSubscription: { backoffBaseMs: 50, backoffMaxMs: 500 },
      onEvent: (event) => events.push(event),
      logger: createLogger(
        'info',
        {},
        {
          destination: {
            write: (line: string) => {
              logs += line
            },
          },
        },
      ),
    })
    try {
      await sampler.start()
      const start = devchain.head()
      await waitFor(async () => (await storedHeadNumber(redis.client(), devchain.chainId)) >= start + 4, {
        timeoutMs: 20_000,
        message: 'four blocks sampled by polling',
      })
    } finally {
      await sampler.stop()
    }
    expect(events.some((e) => e.type === 'head-subscription' && e.live)).toBe(false)
    expect(logs).toContain('refused eth_subscribe')
    expect(logs).not.toContain(secret)
  })

  it('says why a socket could not be opened (the system error code), never the key', async () => {
    const client = createRpcClient({
      chainId: 1337,
      urls: [`ws://127.0.0.1:${await freePort()}/?apikey=SECRETKEY999`],
      timeoutMs: 1_000,
      retries: 0,
    })
    const error = await client.getBlockNumber({ cacheTime: 0 }).catch((e: unknown) => e)
    const said =
      rpcUnavailableCause(error)
        ?.failures.map((f) => f.message)
        .join('; ') ?? String(error)
    expect(said).toMatch(/failed \(network\): connection failed: ECONNREFUSED/)
    expect(said).not.toContain('SECRETKEY999')
  })
})

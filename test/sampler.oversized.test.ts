import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { createLogger } from '../src/lib/logger.js'
import { createRpcClient } from '../src/rpc/createRpcClient.js'
import type { RpcEndpointStateEvent } from '../src/rpc/createRpcTransport.js'
import { rpcUnavailableCause } from '../src/rpc/errors.js'
import { type CreateSamplerParameters, createSampler } from '../src/sampler/createSampler.js'
import { storedHeadNumber } from './support/chainTruth.js'
import { type HostileRpc, type RpcCall, startHostileRpc } from './support/hostileRpc.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/** The cap the tests read answers under: a devchain header (~10 KB with its tx hashes) fits, a padded block does not. */
const cap = 32 * 1024

/** eth_getBlockByNumber asking for the transactions: the answer whose size is the block's. */
const isWholeBlock = (call: RpcCall) => call.method === 'eth_getBlockByNumber' && call.params[1] === true

/**
 * A real devchain behind an endpoint whose every whole block (with transactions) is over `cap`, as a chain
 * of huge blocks is over RPC_MAX_RESPONSE_BYTES: the real block, padded with 200 KB. Everything else,
 * headers included, is the node's own answer.
 */
async function startHugeBlockEndpoint(devchain: Devchain) {
  const box: { rpc?: HostileRpc; wholeBlocks: number } = { wholeBlocks: 0 }
  box.rpc = await startHostileRpc({
    upstream: devchain.url,
    answer: async (call) => {
      if (!isWholeBlock(call)) return 'forward'
      box.wholeBlocks++
      const { json } = await box.rpc!.forward(call)
      const block = (json as { result: Record<string, unknown> | null }).result
      return { result: block && { ...block, padding: 'x'.repeat(200_000) } }
    },
  })
  return Object.assign(box.rpc, {
    /** Whole blocks asked for so far (each answered over the cap). */
    wholeBlocks: () => box.wholeBlocks,
  })
}

describe('blocks over the response size cap', () => {
  let devchain: Devchain
  let endpoint: Awaited<ReturnType<typeof startHugeBlockEndpoint>>
  let redis: TestRedis

  /** A sampler of the devchain through `rpcUrl` with a response cap, and the log lines it writes. */
  function cappedSampler(
    rpcUrl: string,
    rpcMaxResponseBytes: number,
    extra: Partial<CreateSamplerParameters> = {},
  ) {
    let logs = ''
    const sampler = createSampler({
      chainId: devchain.chainId,
      redis: redis.client(),
      rpcUrls: [rpcUrl],
      rpcTimeoutMs: 2_000,
      rpcMaxResponseBytes,
      historyBlocks: 10,
      maxStoredBlocks: 1_000,
      backfillFullBlocks: 3,
      pollIntervalMs: 200,
      leaseTtlMs: 2_000,
      ...extra,
      logger: createLogger('info', {}, { destination: { write: (line: string) => (logs += line) } }),
    })
    return { sampler, logs: () => logs }
  }

  beforeAll(async () => {
    devchain = await startDevchain({ history: 40, blockTime: 0.5 })
    endpoint = await startHugeBlockEndpoint(devchain)
    redis = await startTestRedis()
  })

  afterAll(async () => {
    await endpoint?.stop()
    await redis?.stop()
    await devchain?.stop()
  })

  it('an oversized whole block is neither retried nor held against the endpoint: its circuit stays closed', async () => {
    const states: RpcEndpointStateEvent[] = []
    const client = createRpcClient({
      chainId: devchain.chainId,
      urls: [endpoint.url],
      timeoutMs: 2_000,
      retries: 3,
      backoffInitialMs: 10,
      maxResponseBytes: cap,
      onEndpointState: (e) => states.push(e),
    })
    const wholeBefore = endpoint.wholeBlocks()
    for (let n = 1; n <= 5; n++) {
      const error = await client
        .getBlock({ blockNumber: BigInt(n), includeTransactions: true })
        .catch((e: unknown) => e)
      expect(rpcUnavailableCause(error)?.failures.map((f) => f.kind)).toEqual(['oversized'])
    }
    // One request per block: no retry round downloads the same oversized block again.
    expect(endpoint.wholeBlocks() - wholeBefore).toBe(5)
    expect(states).toEqual([])
    // The endpoint is called, and answers, the header at once.
    expect((await client.getBlock({ blockNumber: 6n })).number).toBe(6n)
  })

  it('a chain whose every block is over the cap is followed block after block, from the headers', async () => {
    const { sampler, logs } = cappedSampler(endpoint.url, cap)
    const start = devchain.head()
    const wholeBefore = endpoint.wholeBlocks()
    try {
      await sampler.start()
      await waitFor(async () => (await storedHeadNumber(redis.client(), devchain.chainId)) >= start + 12, {
        timeoutMs: 30_000,
        message: () => `twelve blocks past ${start} stored (stored head: see logs)\n${logs().slice(-3_000)}`,
      })
    } finally {
      await sampler.stop()
    }
    const head = await storedHeadNumber(redis.client(), devchain.chainId)
    const records = (
      await redis.client().zrangebyscore(`feecast:{${devchain.chainId}}:blocks`, start + 1, head)
    ).map((text) => JSON.parse(text) as { number: number; baseFeePerGas: string; tips: unknown })
    // Every block, in order, none skipped, each from its header: base fee and gas known, tips not.
    expect(records.map((r) => r.number)).toEqual(
      Array.from({ length: head - start }, (_, i) => start + 1 + i),
    )
    expect(records.every((r) => r.tips === null && BigInt(r.baseFeePerGas) > 0n)).toBe(true)
    // The endpoint stayed healthy (its circuit never opened) ...
    expect(logs()).not.toContain('rpc endpoint unhealthy')
    // ... and after an oversized block the next ones are read header-only at once, without downloading
    // each whole first: fewer whole-block requests than blocks.
    expect(endpoint.wholeBlocks() - wholeBefore).toBeLessThan(records.length / 2)
    expect(logs()).toContain('over the response size cap')
  })

  it('over WebSocket: a chain whose whole blocks are over the cap keeps its socket and its subscription', async () => {
    // The devchain's own ws:// endpoint, unpadded: its whole blocks (~70 KB) are over a 20 KB cap, its
    // headers (~10 KB) are not. Over a socket, a message over the cap closes the socket (1009), and with it
    // the new-head subscription: read whole every block, the subscription was lost every block.
    const smallCap = 20 * 1024
    const { sampler, logs } = cappedSampler(devchain.wsUrl, smallCap, {
      headSubscription: { backoffBaseMs: 50, backoffMaxMs: 500 },
    })
    await redis.client().flushall()
    const start = devchain.head()
    try {
      await sampler.start()
      await waitFor(async () => (await storedHeadNumber(redis.client(), devchain.chainId)) >= start + 12, {
        timeoutMs: 30_000,
        message: () => `twelve blocks past ${start} stored\n${logs().slice(-3_000)}`,
      })
    } finally {
      await sampler.stop()
    }
    const head = await storedHeadNumber(redis.client(), devchain.chainId)
    const numbers = (
      await redis.client().zrangebyscore(`feecast:{${devchain.chainId}}:blocks`, start + 1, head)
    ).map((text) => (JSON.parse(text) as { number: number }).number)
    expect(numbers).toEqual(Array.from({ length: head - start }, (_, i) => start + 1 + i))
    expect(logs()).toContain('over the response size cap')
    expect(logs()).not.toContain('rpc endpoint unhealthy')
    // At most the first oversized block cost the socket; the blocks after it were read from their headers.
    expect(logs().split('new-head subscription lost').length - 1).toBeLessThanOrEqual(1)
    expect(logs()).toContain('following new heads over WebSocket')
  })
})

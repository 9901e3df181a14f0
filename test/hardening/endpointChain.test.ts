import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { startDevchain } from '../../src/devchain/startDevchain.js'
import { createLogger } from '../../src/lib/logger.js'
import { createSampler, type SamplerEvent } from '../../src/sampler/createSampler.js'
import { readBlocks } from '../../src/store/readBlocks.js'
import { readHead } from '../../src/store/readHead.js'
import { startHostileRpc } from '../support/hostileRpc.js'
import { startTestRedis } from '../support/redis.js'
import { waitFor } from '../support/waitFor.js'

/**
 * Issue #11 item 9: an endpoint that switches to another chain must not rewrite the store (it looks like
 * a deep reorg), and a head that goes backwards is said, not silently waited on. A real sampler, a real
 * Redis, two real devchains (chains 1337 and 1338) behind one endpoint that switches between them.
 */
describe('an endpoint that changes under the sampler', () => {
  it('is caught serving another chain before anything is rewritten; a head going backwards is logged', async () => {
    const a = await startDevchain({ chainId: 1337, history: 200, autoMine: false })
    const b = await startDevchain({ chainId: 1338, history: 260, autoMine: false, seed: 2 })
    let target = a.url
    let headBehindBy = 0
    const rpc = await startHostileRpc({
      answer: async (call) => {
        const response = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', ...call }),
        })
        const body = (await response.json()) as { result?: unknown }
        if (call.method === 'eth_blockNumber' && headBehindBy > 0)
          return { result: `0x${(Number(BigInt(body.result as string)) - headBehindBy).toString(16)}` }
        return { status: response.status, body }
      },
    })
    const redis = await startTestRedis()
    const client = redis.client()
    let logs = ''
    const logger = createLogger(
      'info',
      {},
      {
        destination: new Writable({
          write(chunk, _e, done) {
            logs += chunk
            done()
          },
        }),
      },
    )
    const events: SamplerEvent[] = []
    const sampler = createSampler({
      chainId: 1337,
      redis: client,
      rpcUrls: [rpc.url],
      rpcRetries: 0,
      rpcChainIdCheckIntervalMs: 2_000,
      historyBlocks: 200,
      backfillFullBlocks: 200,
      maxStoredBlocks: 5_000,
      pollIntervalMs: 100,
      leaseTtlMs: 2_000,
      logger,
      onEvent: (e) => events.push(e),
    })
    const storedHead = async () => (await readHead(client, { chainId: 1337 }))?.number
    try {
      await sampler.start()
      a.mine(5)
      await waitFor(async () => (await storedHead()) === a.head(), {
        timeoutMs: 30_000,
        message: 'in sync with A',
      })
      const before = await readBlocks(client, { chainId: 1337, from: 0, to: a.head() })
      expect(before.length).toBeGreaterThan(150)

      // The endpoint now serves chain 1338, whose blocks differ at every height.
      target = b.url
      await waitFor(() => logs.includes('serves chain 1338, configured for chain 1337'), {
        timeoutMs: 30_000,
        message: () => `the switch to be caught; logs:\n${logs.slice(-2000)}`,
      })
      await new Promise((r) => setTimeout(r, 3_000))
      const during = await readBlocks(client, { chainId: 1337, from: 0, to: b.head() })
      expect(during.map((r) => r.hash)).toEqual(before.map((r) => r.hash))
      expect(events.filter((e) => e.type === 'reorg')).toEqual([])

      // Back on chain 1337: sampling resumes once the endpoint is checked again.
      target = a.url
      a.mine(3)
      await waitFor(async () => (await storedHead()) === a.head(), {
        timeoutMs: 30_000,
        message: 'back on A',
      })

      // The endpoint's head goes 10 blocks backwards: said in the logs, nothing rewritten.
      headBehindBy = 10
      await waitFor(() => /head \d+ is behind the stored head \d+/.test(logs), {
        timeoutMs: 30_000,
        message: 'a log line about the head going backwards',
      })
      headBehindBy = 0
      a.mine(2)
      await waitFor(async () => (await storedHead()) === a.head(), {
        timeoutMs: 30_000,
        message: 'caught up',
      })
      const after = await readBlocks(client, { chainId: 1337, from: 0, to: before.at(-1)!.number })
      expect(after.map((r) => r.hash)).toEqual(before.map((r) => r.hash))
      expect(events.filter((e) => e.type === 'reorg')).toEqual([])
    } finally {
      await sampler.stop()
      await rpc.stop()
      await redis.stop()
      await a.stop()
      await b.stop()
    }
  }, 120_000)
})

import { afterAll, describe, expect, it } from 'vitest'
import { startDevchain } from '../../src/devchain/startDevchain.js'
import { checkStoreAgainstNode, notTheNodes, storedHeadNumber } from '../support/chainTruth.js'
import { feecastBehindHostileRpc } from '../support/feecastBehindHostileRpc.js'
import { type FeecastProcess, waitForStatus } from '../support/feecastProcess.js'
import type { RpcCall } from '../support/hostileRpc.js'
import { startTestRedis, type TestRedis } from '../support/redis.js'
import { waitFor } from '../support/waitFor.js'

/**
 * H21 finding 1: an endpoint that serves a consistent chain sharing no block with the stored one (every
 * block hash, parent hash and transaction blockHash rewritten) used to be written as a reorg deeper than
 * maxReorgDepth (128), leaving stored parent links broken where the two chains met. `feecast start`
 * follows a real devchain through a proxy that switches to such a fork and back: while the fork lasts
 * nothing is written past the stored head, the chain ages into stale, /readyz and
 * feecast_blocks_rejected_total{reason="reorg-too-deep"} say why, and name `feecast forget-chain` as the way
 * out of a chain that was really reset; afterwards the real chain is followed again.
 * The fork is walked back once, not on every retry, and over headers (H28): each retry used to read up to 128
 * whole blocks from the node again.
 */

const chainId = 1337
const mask = (1n << 256n) - 1n

/** The fork's hash of a real one, and back (XOR with all ones is its own inverse). */
const forked = (hash: unknown): unknown =>
  typeof hash === 'string' && /^0x[0-9a-f]{64}$/i.test(hash)
    ? `0x${(BigInt(hash) ^ mask).toString(16).padStart(64, '0')}`
    : hash

/** A block (or receipt, transaction) of the fork: every hash that names a block rewritten. */
function forkBlock(result: Record<string, unknown>): void {
  for (const field of ['hash', 'parentHash', 'blockHash'] as const)
    if (field in result && !(field === 'hash' && 'blockHash' in result)) result[field] = forked(result[field])
  if (Array.isArray(result.transactions))
    for (const tx of result.transactions)
      if (tx && typeof tx === 'object') (tx as Record<string, unknown>).blockHash = forked(tx.blockHash)
}

const metric = async (feecast: FeecastProcess, pattern: RegExp): Promise<number> =>
  Number(pattern.exec(await (await fetch(`${feecast.url}/metrics`)).text())?.[1] ?? 0)

const refusals = (feecast: FeecastProcess) =>
  metric(feecast, /feecast_blocks_rejected_total\{chain_id="1337",reason="reorg-too-deep"\} (\d+)/)

const { setUp, cleanUp } = feecastBehindHostileRpc('feecast-deepreorg-', (feecast) => feecast.stop('SIGKILL'))
const redises: TestRedis[] = []

afterAll(async () => {
  await cleanUp()
  for (const r of redises) await r.stop()
})

describe('a node that switches to a chain sharing no block with the stored one', () => {
  it.each([
    // 200 whole blocks (with hashes) stored, so the fork's walk back passes maxReorgDepth (128) on stored hashes.
    [
      'past maxReorgDepth on stored hashes',
      { HISTORY_BLOCKS: '200', BACKFILL_FULL_BLOCKS: '200' },
      129,
      /shares no ancestor with the stored chain within maxReorgDepth \(128\)/,
    ],
    // The default: 64 whole blocks with hashes over older ones from eth_feeHistory without: the walk back
    // meets the hash-less blocks before maxReorgDepth, where nothing shows the two chains meet.
    [
      'down to the blocks stored without hashes (the default backfill)',
      { HISTORY_BLOCKS: '200' },
      64,
      /differs from every stored block with a hash \(down to \d+\), and older ones cannot be compared/,
    ],
  ] as const)(
    'is refused, %s: nothing is written past the stored head, links hold, /readyz and the metric say why; the real chain is followed again',
    async (_name, env, hashedAtLeast, reason) => {
      const redis = await startTestRedis()
      redises.push(redis)
      const client = redis.client()
      const devchain = await startDevchain({ blockTime: 1, history: 256 })
      let fork = false
      /** Blocks asked for by number while the fork is served, by number: what the walks back cost. */
      const asked = new Map<number, number>()
      /** Of those, the numbers asked for with their transactions (whole blocks). */
      const askedWhole: number[] = []
      const { feecast } = await setUp(
        devchain,
        async (call: RpcCall, rpc) => {
          if (!fork || !['eth_getBlockByNumber', 'eth_getBlockByHash'].includes(call.method)) return 'forward'
          if (call.method === 'eth_getBlockByNumber' && typeof call.params[0] === 'string') {
            const n = Number(call.params[0])
            asked.set(n, (asked.get(n) ?? 0) + 1)
            if (call.params[1] === true) askedWhole.push(n)
          }
          const params =
            call.method === 'eth_getBlockByHash'
              ? [forked(call.params[0]), ...call.params.slice(1)]
              : call.params
          const { status, json } = await rpc.forward({ ...call, params })
          const result = (json as { result?: Record<string, unknown> | null }).result
          if (result) forkBlock(result)
          return { status, body: json }
        },
        { REDIS_URL: redis.url, ...env },
      )

      await waitForStatus(`${feecast.url}/readyz`, 200, 90_000)
      const links = () =>
        checkStoreAgainstNode({ redis: client, chainId, url: devchain.url, from: Number.MAX_SAFE_INTEGER })
      const before = await links()
      expect(before.problems).toEqual([])
      expect([...before.hashes.values()].filter((h) => h !== null).length).toBeGreaterThanOrEqual(
        hashedAtLeast,
      )

      fork = true
      // Once the fork has been refused nothing real is in flight: the stored head is where the fork began.
      await waitFor(() => refusals(feecast).then((n) => n >= 1), {
        timeoutMs: 60_000,
        intervalMs: 1_000, // /metrics is rate limited like any client
        message: () => `a refusal of the fork; output:\n${feecast.output().slice(-3000)}`,
      })
      const forkedAt = await storedHeadNumber(client, chainId)
      let highest = forkedAt
      const watch = setInterval(() => {
        storedHeadNumber(client, chainId).then(
          (n) => {
            highest = Math.max(highest, n)
          },
          () => {},
        )
      }, 250)
      try {
        // The node goes on 20 blocks past the fork point: the store does not follow it.
        await waitFor(() => devchain.head() >= forkedAt + 20, {
          timeoutMs: 60_000,
          intervalMs: 500,
          message: 'the devchain to build 20 blocks on',
        })
        // Every stored block links to the one below and is still the real chain's (no fork hash anywhere).
        const during = await links()
        expect(during.problems).toEqual([])
        expect(during.last).toBe(forkedAt)
        expect(await notTheNodes(devchain.url, during.hashes)).toEqual([])
        // The refusal is counted (every attempt) and named on /readyz once the data is stale.
        await waitFor(() => refusals(feecast).then((n) => n >= 6), {
          timeoutMs: 60_000,
          intervalMs: 1_000, // /metrics is rate limited like any client
          message: () => `six refusals of the fork; output:\n${feecast.output().slice(-3000)}`,
        })
        // The fork was walked back once, not on every retry: a block 32 below the fork point (every walk
        // passes it) was asked for at most twice (once more after the back-off of a remembered refusal,
        // 60 s, if the test ran that long), while every attempt was refused. Each retry costs a few reads.
        const attempts = await refusals(feecast)
        const walks = asked.get(forkedAt - 32) ?? 0
        const reads = [...asked.values()].reduce((a, b) => a + b, 0)
        expect(walks, `walks back for ${attempts} refusals`).toBeGreaterThanOrEqual(1)
        expect(walks, `walks back for ${attempts} refusals`).toBeLessThanOrEqual(2)
        expect(reads).toBeLessThanOrEqual(2 * 129 + 4 * attempts)
        // And the walk reads headers: whole blocks only at the stored head and above (the blocks compared).
        expect(askedWhole.filter((n) => n < forkedAt)).toEqual([])
        const ready = await waitForStatus(`${feecast.url}/readyz`, 503, 90_000)
        const reasons = ((await ready.json()) as { reasons: string[] }).reasons.join('\n')
        expect(reasons).toMatch(/chain 1337: data \d+ s old, past 30 s: blocks refused for \d+ s/)
        expect(reasons).toMatch(reason)
        // The way out, for an operator who knows the chain was reset, is named where they look.
        expect(reasons).toMatch(/if chain 1337 was reset .*: feecast forget-chain --chain-id 1337 --yes/)
        expect(await storedHeadNumber(client, chainId)).toBe(forkedAt)
      } finally {
        clearInterval(watch)
      }
      expect(highest).toBe(forkedAt)
      expect(feecast.output()).toMatch(
        /rejected \(reorg-too-deep\).*feecast forget-chain --chain-id 1337 --yes/,
      )
      expect(feecast.output()).not.toMatch(/replaced records above the common ancestor/)

      // The node serves the real chain again: it extends what is stored, so sampling resumes.
      fork = false
      await waitForStatus(`${feecast.url}/readyz`, 200, 60_000)
      const target = devchain.head()
      await waitFor(async () => (await storedHeadNumber(client, chainId)) >= target, {
        timeoutMs: 30_000,
        message: `the store to follow the real chain to block ${target}`,
      })
      const after = await links()
      expect(after.problems).toEqual([])
      expect(after.last).toBeGreaterThanOrEqual(target)
      expect(await notTheNodes(devchain.url, after.hashes)).toEqual([])
    },
    300_000,
  )
})

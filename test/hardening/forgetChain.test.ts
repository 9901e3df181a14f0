import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type Devchain, startDevchain } from '../../src/devchain/startDevchain.js'
import { lockDirectory } from '../../src/store/dirLock.js'
import { checkStoreAgainstNode, notTheNodes, storedHeadNumber } from '../support/chainTruth.js'
import { type FeecastProcess, startFeecast, waitForStatus } from '../support/feecastProcess.js'
import { startTestRedis, type TestRedis } from '../support/redis.js'
import { waitFor } from '../support/waitFor.js'

/**
 * H28: a chain that was really reset (here a devchain restarted with another seed: the same chain id, the
 * same heights, other blocks) is refused as a reorg too deep for as long as its stored history is there.
 * `feecast forget-chain --chain-id N --yes` deletes that chain's keys and no other chain's; the running
 * sampler then backfills the reset chain and follows it. A real redis-server, two real devchains, and
 * `feecast start` and `feecast forget-chain` as an operator runs them.
 */

const root = join(import.meta.dirname, '../..')
const reset = 1337
const other = 31337

type Run = { code: number; stdout: string; stderr: string }

/** `feecast <args>` as its own process, with only `env` (and PATH, HOME) set. */
const feecastCli = (args: string[], env: Record<string, string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin/feecast.mjs'), ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })

/** Every stored record of a chain, by number (its serialized form), straight from Redis. */
async function storedRecords(redis: ReturnType<TestRedis['client']>, chainId: number) {
  const raw = await redis.zrange(`feecast:{${chainId}}:blocks`, 0, -1, 'WITHSCORES')
  const records = new Map<number, string>()
  for (let i = 0; i < raw.length; i += 2) records.set(Number(raw[i + 1]), raw[i]!)
  return records
}

const refusals = async (feecast: FeecastProcess): Promise<number> =>
  Number(
    /feecast_blocks_rejected_total\{chain_id="1337",reason="reorg-too-deep"\} (\d+)/.exec(
      await (await fetch(`${feecast.url}/metrics`)).text(),
    )?.[1] ?? 0,
  )

const cleanups: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
})

describe('feecast forget-chain', () => {
  it("deletes a reset chain's stored history and no other chain's; the sampler then follows the reset chain", async () => {
    const work = await mkdtemp(join(tmpdir(), 'feecast-forget-'))
    cleanups.push(() => rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }))
    const redis = await startTestRedis()
    cleanups.push(() => redis.stop())
    const client = redis.client()
    let chain: Devchain = await startDevchain({ chainId: reset, blockTime: 1, history: 256, seed: 1 })
    cleanups.push(() => chain.stop())
    const otherChain = await startDevchain({ chainId: other, blockTime: 1, history: 128, seed: 7 })
    cleanups.push(() => otherChain.stop())
    const env = { REDIS_URL: redis.url, FEECAST_STATE_DIR: join(work, 'state') }
    const feecast = await startFeecast({
      env: {
        ...env,
        [`RPC_URL_${reset}`]: chain.url,
        [`RPC_URL_${other}`]: otherChain.url,
        HISTORY_BLOCKS: '200',
        RPC_RETRIES: '0',
        RPC_TIMEOUT_MS: '2000',
        POLL_INTERVAL_MS: '500',
      },
    })
    cleanups.push(() => feecast.stop('SIGKILL'))
    await waitForStatus(`${feecast.url}/readyz`, 200, 90_000)
    await waitFor(async () => (await storedHeadNumber(client, reset)) >= chain.head() - 1, {
      timeoutMs: 60_000,
      message: 'chain 1337 stored up to its head',
    })

    // The devchain is reset: on the same port, another seed, so other blocks at the same heights.
    const { port } = chain
    await chain.stop()
    chain = await startDevchain({ chainId: reset, port, blockTime: 1, history: 256, seed: 2 })
    await waitFor(() => refusals(feecast).then((n) => n >= 2), {
      timeoutMs: 60_000,
      intervalMs: 1_000, // /metrics is rate limited like any client
      message: () => `the reset chain refused twice; output:\n${feecast.output().slice(-3000)}`,
    })
    // Refused, not written: the stored blocks are still the old chain's, none of them the reset chain's.
    const refusedAt = await storedHeadNumber(client, reset)
    const before = await checkStoreAgainstNode({
      redis: client,
      chainId: reset,
      url: chain.url,
      from: Number.MAX_SAFE_INTEGER,
    })
    expect(before.problems).toEqual([])
    const hashed = [...before.hashes].filter(([n, h]) => h !== null && n <= chain.head())
    expect(hashed.length).toBeGreaterThan(32)
    expect(await notTheNodes(chain.url, new Map(hashed))).toHaveLength(hashed.length)
    expect(feecast.output()).toMatch(/if chain 1337 was reset .*feecast forget-chain --chain-id 1337 --yes/)

    // Without --yes: says what it would delete, deletes nothing, exits 1.
    const preview = await feecastCli(['forget-chain', '--chain-id', String(reset)], env)
    expect(preview.code, preview.stderr).toBe(1)
    expect(preview.stdout).toMatch(
      /chain 1337: \d+ block\(s\) stored from \d+, head \d+ .*\nnothing deleted: run again with --yes/,
    )
    expect(await storedHeadNumber(client, reset)).toBe(refusedAt)
    // A chain id with nothing stored, or not a chain id, is refused with what is wrong (exit 2).
    const typo = await feecastCli(['forget-chain', '--chain-id', '42', '--yes'], env)
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(
      /nothing is stored for chain 42 \(chains with predictions stored: 1337, 31337\)/,
    )
    const bad = await feecastCli(['forget-chain', '--chain-id', '0x539', '--yes'], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--chain-id "0x539" is not a chain id/)

    // The other chain, as stored before: every record of it is still there, unchanged, after the forget.
    const otherBefore = await storedRecords(client, other)
    expect(otherBefore.size).toBeGreaterThan(64)
    const otherKeysBefore = await client.keys(`feecast:{${other}}:*`)
    expect(otherKeysBefore).toEqual(
      expect.arrayContaining([`feecast:{${other}}:head`, `feecast:{${other}}:prediction`]),
    )
    const forgot = await feecastCli(['forget-chain', '--chain-id', String(reset), '--yes'], env)
    expect(forgot.code, forgot.stderr).toBe(0)
    expect(forgot.stdout).toMatch(/forgot chain 1337: deleted feecast:\{1337\}:blocks, feecast:\{1337\}:head/)
    expect(forgot.stdout).not.toMatch(/31337/)
    const otherAfter = await storedRecords(client, other)
    for (const [n, record] of otherBefore) expect(otherAfter.get(n), `chain ${other} block ${n}`).toBe(record)
    expect(await client.keys(`feecast:{${other}}:*`)).toEqual(expect.arrayContaining(otherKeysBefore))
    expect(await client.sismember('feecast:chains', String(other))).toBe(1)

    // The running sampler backfills the reset chain and follows it: every stored block is the new chain's.
    const target = chain.head() + 2
    await waitFor(async () => (await storedHeadNumber(client, reset)) >= target, {
      timeoutMs: 60_000,
      message: () =>
        `the store to follow the reset chain to ${target}; output:\n${feecast.output().slice(-3000)}`,
    })
    const after = await checkStoreAgainstNode({
      redis: client,
      chainId: reset,
      url: chain.url,
      from: Number.MAX_SAFE_INTEGER,
    })
    expect(after.problems).toEqual([])
    expect(after.last).toBeGreaterThanOrEqual(target)
    expect(await notTheNodes(chain.url, after.hashes)).toEqual([])
    expect(feecast.output()).not.toMatch(/replaced records above the common ancestor/)
    // And its predictions come back: /readyz says chain 1337 is fresh.
    await waitFor(
      async () => {
        const body = (await (await fetch(`${feecast.url}/readyz`)).json()) as {
          chains: { chainId: number; fresh: boolean }[]
        }
        return body.chains.find((c) => c.chainId === reset)?.fresh === true
      },
      { timeoutMs: 60_000, intervalMs: 1_000, message: 'chain 1337 fresh on /readyz again' },
    )
  }, 300_000)

  it('opens the embedded Redis only while no feecast holds it, and says when nothing is stored', async () => {
    const work = await mkdtemp(join(tmpdir(), 'feecast-forget-embedded-'))
    cleanups.push(() => rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }))
    const run = await feecastCli(['forget-chain', '--chain-id', '1337', '--yes'], {
      FEECAST_STATE_DIR: join(work, 'state'),
    })
    expect(run.code, run.stdout).toBe(2)
    expect(run.stderr).toMatch(/nothing is stored for chain 1337 \(chains with predictions stored: none\)/)
    // While a feecast holds the embedded Redis's directory (here this process, as a running one would),
    // the command does not open it behind its back: it says to stop feecast first.
    const redisDir = join(work, 'state', 'redis')
    await mkdir(redisDir, { recursive: true })
    const lock = lockDirectory(redisDir, 'Redis data directory (FEECAST_STATE_DIR)')
    try {
      const held = await feecastCli(['forget-chain', '--chain-id', '1337', '--yes'], {
        FEECAST_STATE_DIR: join(work, 'state'),
      })
      expect(held.code, held.stdout).toBe(2)
      expect(held.stderr).toMatch(
        new RegExp(
          `embedded Redis under FEECAST_STATE_DIR = ".*" is in use by a running feecast \\(pid ${process.pid}\\): stop it first`,
        ),
      )
    } finally {
      lock.release()
    }
  }, 60_000)
})

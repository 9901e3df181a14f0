import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startDevchain } from '../../src/devchain/startDevchain.js'
import { createSampler } from '../../src/sampler/createSampler.js'
import { readBlocks } from '../../src/store/readBlocks.js'
import { readHead } from '../../src/store/readHead.js'
import { type FeecastProcess, startFeecast } from '../support/feecastProcess.js'
import { type HostileRpc, startHostileRpc } from '../support/hostileRpc.js'
import { jsonRpc, toHex } from '../support/jsonRpc.js'
import { startTestRedis } from '../support/redis.js'
import { waitFor } from '../support/waitFor.js'

/**
 * Issue #11 item 3: an endpoint that answers with an endless body, or a 50 MB one, must not take the
 * process's memory with it. `feecast start` follows a hostile endpoint that serves the chain id and
 * then answers every other call with one of: an endless chunked body, 50 MB chunked, 50 MB with its
 * Content-Length. The process's resident set (read from /proc) must stay under a stated limit while
 * these arrive, and the cut-off reads are counted.
 */

/** The limit asserted: the service's own footprint (~250 MB with the model loaded) plus room, far below GBs. */
const rssLimitBytes = 600 * 1024 * 1024
/** A runaway process is stopped here rather than allowed to take the machine (the test then fails). */
const rssKillBytes = 2 * 1024 * 1024 * 1024

const chunk = Buffer.alloc(64 * 1024, 'f')

function endless(res: ServerResponse, id: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":"0x`)
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) {}
    if (!res.destroyed) res.once('drain', pump)
  }
  res.on('close', () => res.removeAllListeners('drain'))
  pump()
}

function fifty(res: ServerResponse, id: unknown, declared: boolean) {
  const head = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":"0x`
  const total = 50 * 1024 * 1024
  res.writeHead(200, {
    'content-type': 'application/json',
    ...(declared ? { 'content-length': String(Buffer.byteLength(head) + total + 2) } : {}),
  })
  res.write(head)
  let sent = 0
  const pump = () => {
    while (!res.destroyed && sent < total) {
      sent += chunk.length
      if (!res.write(chunk)) return void res.once('drain', pump)
    }
    if (!res.destroyed) res.end('"}')
  }
  pump()
}

const rssOf = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN)
  return kb * 1024
}

let work: string | undefined
let rpc: HostileRpc | undefined
let feecast: FeecastProcess | undefined

afterAll(async () => {
  await feecast?.stop('SIGKILL')
  await rpc?.stop()
  if (work) await rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
})

describe('oversized RPC bodies', () => {
  it('are cut off as they arrive: RSS stays under the limit with endless and 50 MB bodies', async () => {
    work = await mkdtemp(join(tmpdir(), 'feecast-rpcbody-'))
    let served = 0
    const kinds: string[] = []
    rpc = await startHostileRpc({
      answer: (call) => {
        if (call.method === 'eth_chainId') return { result: '0x1' }
        const kind = ['endless', 'fifty-chunked', 'fifty-declared'][served++ % 3]!
        kinds.push(kind)
        return {
          write: (res) =>
            kind === 'endless' ? endless(res, call.id) : fifty(res, call.id, kind === 'fifty-declared'),
        }
      },
    })
    feecast = await startFeecast({
      env: {
        RPC_URL_1: rpc.url,
        FEECAST_STATE_DIR: join(work, 'state'),
        RPC_TIMEOUT_MS: '8000',
        RPC_RETRIES: '1',
      },
    })
    const pid = feecast.child.pid!
    let peak = 0
    const samples: number[] = []
    const watch = setInterval(() => {
      try {
        const rss = rssOf(pid)
        samples.push(rss)
        peak = Math.max(peak, rss)
        if (rss > rssKillBytes) feecast?.child.kill('SIGKILL')
      } catch {}
    }, 100)
    try {
      // Every kind of body several times over: at least 9 answers, and 20 s of them.
      const started = Date.now()
      await waitFor(() => served >= 9 && Date.now() - started > 20_000, {
        timeoutMs: 90_000,
        message: () =>
          `9 hostile answers and 20 s (served ${served}, peak RSS ${Math.round(peak / 2 ** 20)} MB)`,
      })
    } finally {
      clearInterval(watch)
      console.log(
        `RSS of feecast start under hostile bodies: peak ${Math.round(peak / 2 ** 20)} MB over ${samples.length} samples (${kinds.length} answers: ${[...new Set(kinds)].join(', ')})`,
      )
    }
    expect(peak).toBeGreaterThan(0)
    expect(peak).toBeLessThan(rssLimitBytes)
    expect(feecast.child.exitCode).toBeNull()
    const metrics = await (await fetch(`${feecast.url}/metrics`)).text()
    const cut = Number(
      /feecast_rpc_oversized_responses_total\{chain_id="1",endpoint="127\.0\.0\.1:\d+#0"\} (\d+)/.exec(
        metrics,
      )?.[1] ?? 0,
    )
    expect(cut).toBeGreaterThanOrEqual(9)
    expect(feecast.output()).toMatch(/oversized\): response body passed 8388608 bytes/)
  }, 150_000)
})

describe('a block too big to read whole', () => {
  it('is recorded from its header (base fee and gas, no tips) instead of stalling the sampler', async () => {
    const devchain = await startDevchain({ history: 40, autoMine: false })
    const redis = await startTestRedis()
    // Full blocks come back endless; everything else (headers, chain id, fee history) is the devchain's.
    const hostile = await startHostileRpc({
      upstream: devchain.url,
      answer: (call) =>
        call.method === 'eth_getBlockByNumber' && call.params[1] === true
          ? { write: (res) => endless(res, call.id) }
          : 'forward',
    })
    const client = redis.client()
    const sampler = createSampler({
      chainId: devchain.chainId,
      redis: client,
      rpcUrls: [hostile.url],
      rpcMaxResponseBytes: 65_536,
      rpcRetries: 0,
      historyBlocks: 30,
      backfillFullBlocks: 8,
      maxStoredBlocks: 1000,
      pollIntervalMs: 100,
      leaseTtlMs: 2000,
    })
    try {
      await sampler.start()
      devchain.mine(3)
      const head = devchain.head()
      await waitFor(async () => (await readHead(client, { chainId: devchain.chainId }))?.number === head, {
        timeoutMs: 30_000,
        message: `the store to reach block ${head}`,
      })
      const stored = await readBlocks(client, { chainId: devchain.chainId, from: head - 10, to: head })
      expect(stored.map((r) => r.number)).toEqual(Array.from({ length: 11 }, (_, i) => head - 10 + i))
      for (const record of stored.slice(-8)) {
        const truth = await jsonRpc<{ baseFeePerGas: string; hash: string; transactions: string[] }>(
          devchain.url,
          'eth_getBlockByNumber',
          [toHex(record.number), false],
        )
        expect(record.hash).toBe(truth.hash)
        expect(record.baseFeePerGas).toBe(BigInt(truth.baseFeePerGas))
        expect(record.txCount).toBe(truth.transactions.length)
        expect(record.tips).toBeNull()
      }
    } finally {
      await sampler.stop()
      await hostile.stop()
      await redis.stop()
      await devchain.stop()
    }
  })
})

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CollectError, collectHistory } from '../../src/collect/collectHistory.js'
import { type Devchain, startDevchain } from '../../src/devchain/startDevchain.js'
import { effectiveTip } from '../../src/fees/effectiveTip.js'
import { formatHistoryCsv } from '../../src/history/historyCsv.js'
import { waitFor } from '../support/waitFor.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
const secretPath = '/v3/0ddba11c0ffee5ecret?apikey=TOPSECRETKEY'
const leaks = /0ddba11c0ffee5ecret|TOPSECRETKEY/

let devchain: Devchain
let work: string
const servers: Server[] = []

/** A local HTTP server with the given handler; resolves with its base URL. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * Forwards to the devchain, but breaks the first attempt at every third block and the first two at
 * every seventh, in the given way: deterministic, whatever order the concurrent requests come in.
 */
function flakyProxy(fault: 'status' | 'reset' | 'garbage') {
  const attempts = new Map<string, number>()
  return serve((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks)
      const block = Number.parseInt(JSON.parse(body.toString()).params?.[0] ?? '0x0', 16)
      const attempt = (attempts.get(String(block)) ?? 0) + 1
      attempts.set(String(block), attempt)
      if ((block % 3 === 0 && attempt === 1) || (block % 7 === 0 && attempt <= 2)) {
        if (fault === 'reset') return req.socket.destroy()
        if (fault === 'garbage')
          return res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops')
        return res.writeHead(502).end('bad gateway')
      }
      const upstream = await fetch(devchain.url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      })
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text())
    })
  })
}

beforeAll(async () => {
  devchain = await startDevchain({ history: 40, autoMine: false, gasLimit: 3_000_000n, seed: 3 })
  work = mkdtempSync(join(tmpdir(), 'feecast-collect-'))
})
afterAll(async () => {
  await devchain.stop()
  for (const s of servers) s.closeAllConnections()
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  rmSync(work, { recursive: true, force: true })
})

describe('collectHistory', () => {
  it('reads full blocks into rows, leaving out what the endpoint does not have', async () => {
    const { rows, missing } = await collectHistory({
      rpcUrl: devchain.url + secretPath,
      from: 30,
      to: 45,
      concurrency: 3,
    })
    expect(rows.map((r) => r.number)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39])
    expect(missing).toEqual([40, 41, 42, 43, 44, 45])
    const client = createPublicClient({ transport: http(devchain.url) })
    const block = await client.getBlock({ blockNumber: 35n, includeTransactions: true })
    const tips = block.transactions
      .map((tx) => effectiveTip({ baseFeePerGas: block.baseFeePerGas!, ...tx }))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const row = rows.find((r) => r.number === 35)!
    expect(row).toEqual({
      number: 35,
      timestamp: Number(block.timestamp),
      baseFeePerGas: block.baseFeePerGas,
      gasUsed: block.gasUsed,
      gasLimit: block.gasLimit,
      txCount: block.transactions.length,
      minPriorityFee: tips[0],
      avgPriorityFee: tips.reduce((a, b) => a + b, 0n) / BigInt(tips.length),
      maxPriorityFee: tips[tips.length - 1],
      // The devchain is a blob chain: its blocks' blob fields become the blob columns.
      blobGasUsed: block.blobGasUsed,
      excessBlobGas: block.excessBlobGas,
    })
  })

  it('retries through an endpoint that fails now and then, and gets the same rows', async () => {
    const direct = await collectHistory({ rpcUrl: devchain.url, from: 0, to: 39 })
    for (const fault of ['status', 'reset', 'garbage'] as const) {
      const url = await flakyProxy(fault)
      const progress: number[] = []
      const viaProxy = await collectHistory({
        rpcUrl: url + secretPath,
        from: 0,
        to: 39,
        retries: 2,
        retryDelayMs: 5,
        onProgress: (p) => progress.push(p.done),
      })
      expect(formatHistoryCsv(viaProxy.rows), fault).toBe(formatHistoryCsv(direct.rows))
      expect(progress.at(-1)).toBe(40)
    }
  })

  it('gives up after its retries with an error that never shows the URL unredacted', async () => {
    let requests = 0
    const url = await serve((_req, res) => {
      requests++
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`internal error at ${_req.url}`)
    })
    const error = await collectHistory({
      rpcUrl: url + secretPath,
      from: 1,
      to: 1,
      retries: 2,
      retryDelayMs: 5,
    }).catch((e) => e)
    expect(error).toBeInstanceOf(CollectError)
    expect(requests).toBe(3)
    expect(error.message).toContain(`${url}/***`)
    expect(error.message).not.toMatch(leaks)
    expect(JSON.stringify(error)).not.toMatch(leaks)
    expect(String(error.cause ?? '')).not.toMatch(leaks)

    const closed = await collectHistory({
      rpcUrl: `http://127.0.0.1:1${secretPath}`,
      from: 1,
      to: 2,
      retries: 1,
      retryDelayMs: 5,
    }).catch((e) => e)
    expect(closed).toBeInstanceOf(CollectError)
    expect(closed.message).not.toMatch(leaks)
  })

  it('stops reading a body past its cap, streamed or declared, and names the cap (without asking again)', async () => {
    const streams: Array<{ requests: number; cutOff: boolean }> = []
    const endless = { requests: 0, cutOff: false }
    streams.push(endless)
    const streamingUrl = await serve((_req, res) => {
      endless.requests++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"jsonrpc":"2.0","id":0,"result":"')
      const chunk = 'f'.repeat(16 * 1024)
      // Chunks until the reader hangs up: the endpoint would stream for ever.
      const timer = setInterval(() => res.write(chunk), 1)
      res.on('close', () => {
        clearInterval(timer)
        endless.cutOff = !res.writableEnded
      })
    })
    const declared = { requests: 0, cutOff: false }
    streams.push(declared)
    const declaringUrl = await serve((_req, res) => {
      declared.requests++
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 30) })
      res.write('{"jsonrpc":"2.0"')
      res.on('close', () => {
        declared.cutOff = !res.writableEnded
      })
    })
    for (const url of [streamingUrl, declaringUrl]) {
      const error = await collectHistory({
        rpcUrl: url + secretPath,
        from: 1,
        to: 1,
        retries: 3,
        retryDelayMs: 5,
        maxResponseBytes: 64 * 1024,
      }).catch((e) => e)
      expect(error).toBeInstanceOf(CollectError)
      expect(error.details).toMatch(/passed 65536 bytes/)
      expect(`${error.message} ${error.details}`).not.toMatch(leaks)
    }
    for (const stream of streams) {
      expect(stream.requests).toBe(1)
      // The endpoint hears the hang-up as its socket's close, which a loaded machine may handle later than
      // a fixed 100 ms (the timer then ran first): waited for, then asserted.
      await waitFor(() => stream.cutOff, { timeoutMs: 10_000, intervalMs: 20, message: 'the hang-up' }).catch(
        () => {},
      )
      expect(stream.cutOff).toBe(true)
    }
  })

  it('rejects a backwards range', async () => {
    await expect(collectHistory({ rpcUrl: devchain.url, from: 5, to: 4 })).rejects.toBeInstanceOf(
      CollectError,
    )
  })
})

describe('feecast collect', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => {
      const child = spawn(process.execPath, [resolve(root, 'bin/feecast.mjs'), 'collect', ...args], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout!.on('data', (d) => {
        stdout += d
      })
      child.stderr!.on('data', (d) => {
        stderr += d
      })
      child.on('exit', (code) => r({ code, stdout, stderr }))
    })

  it('writes the CSV atomically and prints the endpoint redacted; a failure leaves the old file alone', async () => {
    const out = join(work, 'blocks.csv')
    const [ok, refused] = await Promise.all([
      run(['--rpc', devchain.url + secretPath, '--from', '20', '--to', '45', '--out', out]),
      run([
        '--rpc',
        `http://127.0.0.1:1${secretPath}`,
        '--from',
        '1',
        '--to',
        '3',
        '--out',
        join(work, 'never.csv'),
        '--retries',
        '0',
      ]),
    ])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain(
      `collected 20 block(s) 20..45 from ${devchain.url}/*** into ${out} (6 not available, left out)`,
    )
    expect(ok.stdout + ok.stderr).not.toMatch(leaks)
    const direct = await collectHistory({ rpcUrl: devchain.url, from: 20, to: 39 })
    expect(readFileSync(out, 'utf8')).toBe(formatHistoryCsv(direct.rows))

    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('http://127.0.0.1:1/***')
    expect(refused.stdout + refused.stderr).not.toMatch(leaks)
    expect(existsSync(join(work, 'never.csv'))).toBe(false)

    writeFileSync(out, 'old content\n')
    const again = await run([
      '--rpc',
      `http://127.0.0.1:1${secretPath}`,
      '--from',
      '1',
      '--to',
      '1',
      '--out',
      out,
      '--retries',
      '0',
    ])
    expect(again.code).toBe(2)
    expect(readFileSync(out, 'utf8')).toBe('old content\n')
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('names the option at fault', async () => {
    const bad = await run(['--rpc', devchain.url, '--from', '10', '--to', '9', '--out', join(work, 'x.csv')])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--to 9 is below --from 10')
  })
})

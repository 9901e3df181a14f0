/**
 * feecast's own work per request, without the network: the API's request listener (`createApi().handle`,
 * every middleware, the route, the observers) called in a loop with stand-ins for Node's request and
 * response, which record what would be written and write nothing. What it measures is the part of a
 * request bench/api.ts cannot separate from Node's HTTP and the kernel: the nanoseconds feecast adds.
 * Each request's target and header strings are made fresh, as Node's parser makes them (a reused string
 * would keep its hash and flatter every map lookup).
 *
 *   npx tsx bench/requestPath.ts [--requests 2000000] [--rounds 5] [--only "predict 304"]
 *
 * Runs the built dist/ (what `npm start` runs: `npm run build` first), not the sources through tsx,
 * whose transform adds calls of its own. Prints, per query, the median of the rounds' ns per request;
 * writes bench/results/requestPath.json.
 */
import { Buffer } from 'node:buffer'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { FeedEntry, PredictionFeed } from '../src/api/predictionFeed.js'
import { predictionFixture } from '../test/support/predictionFixture.js'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const requests = arg('requests', 2_000_000)
const rounds = arg('rounds', 5)
const chainId = 1337

const root = fileURLToPath(new URL('..', import.meta.url))
if (!existsSync(join(root, 'dist/api/app.js'))) throw new Error('dist/ is missing: run `npm run build` first')
const { createApi } = (await import(join(root, 'dist/api/app.js'))) as typeof import('../src/api/app.js')
const { createLogger } = (await import(
  join(root, 'dist/lib/logger.js')
)) as typeof import('../src/lib/logger.js')

/**
 * A feed holding one fresh prediction: what the API's feed holds between blocks. `refresh` dates it now
 * again (same version, so the same ETag), before each round: chain 1337's data is stale after 30 s,
 * and a run is longer than that.
 */
function staticFeed(): PredictionFeed & { refresh(): void } {
  const version = `${chainId}-100-x`
  let entry: FeedEntry
  const refresh = () => {
    entry = { prediction: predictionFixture({ chainId }), version, receivedAt: Date.now(), memo: new Map() }
  }
  refresh()
  const status = { redisUp: true, synced: true, lastSyncAt: Date.now() }
  return {
    refresh,
    get: (id) => (id === chainId ? entry : undefined),
    isKnownChain: (id) => id === chainId,
    chainIds: () => [chainId],
    status: () => status,
    health: () => undefined,
    whenSynced: async () => true,
    resync: async () => true,
    offer: () => false,
    close: async () => {},
  }
}

type Written = { status: number; headers: readonly string[]; bytes: number }

/** Stands in for Node's ServerResponse: keeps the status, the headers and the body's length. */
function recordingResponse(written: Written): ServerResponse {
  return {
    writeHead(status: number, headers: readonly string[]) {
      written.status = status
      written.headers = headers
      return this
    },
    end(body?: Buffer) {
      written.bytes = body?.length ?? 0
      return this
    },
  } as unknown as ServerResponse
}

type Query = { name: string; target: string; headers: Record<string, string>; status: number }

async function main() {
  const feed = staticFeed()
  const api = createApi({
    feed,
    logger: createLogger('info'),
    // The limiter runs (its cost is counted) but cannot run dry: a run takes millions of answers a second.
    api: { rateLimitPerSecond: 1e12, rateLimitBurst: 1e12 },
  })
  const written: Written = { status: 0, headers: [], bytes: 0 }
  const res = recordingResponse(written)
  const socket = { remoteAddress: '127.0.0.1' }
  const probe = (target: string, headers: Record<string, string> = {}) => {
    api.handle(
      {
        method: 'GET',
        url: target,
        rawHeaders: ['Host', 'localhost', ...Object.entries(headers).flat()],
        socket,
      } as unknown as IncomingMessage,
      res,
    )
    return written.status
  }
  probe(`/predict?chainId=${chainId}`)
  const answered = written.headers
  const etag = answered[answered.indexOf('ETag') + 1]
  const queries: Query[] = [
    { name: 'predict', target: `/predict?chainId=${chainId}`, headers: {}, status: 200 },
    {
      name: 'predict feecastFees',
      target: `/predict?chainId=${chainId}&confidence=90&withinBlocks=3`,
      headers: {},
      status: 200,
    },
    { name: 'metamask', target: `/networks/${chainId}/suggestedGasFees`, headers: {}, status: 200 },
    {
      name: 'predict 304',
      target: `/predict?chainId=${chainId}`,
      headers: { 'If-None-Match': etag ?? '' },
      status: 304,
    },
  ]
  const results = []
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined
  for (const query of queries.filter((q) => only === undefined || q.name === only)) {
    const status = probe(query.target, query.headers)
    if (status !== query.status)
      throw new Error(`${query.name}: answered ${status}, expected ${query.status}`)
    // Fresh strings per request, as the parser makes them: decoded from bytes each time.
    const targetBytes = Buffer.from(query.target, 'latin1')
    const headerBytes = ['Host', 'localhost', ...Object.entries(query.headers).flat()].map((s) =>
      Buffer.from(s, 'latin1'),
    )
    // Every answer is checked (one compare): a run that drifted into 429s or stale answers would time
    // other work than it names.
    const run = (n: number) => {
      feed.refresh()
      let wrong = 0
      const started = performance.now()
      for (let i = 0; i < n; i++) {
        const rawHeaders = headerBytes.map((b) => b.toString('latin1'))
        const req = { method: 'GET', url: targetBytes.toString('latin1'), rawHeaders, socket }
        api.handle(req as unknown as IncomingMessage, res)
        if (written.status !== query.status) wrong++
      }
      const ns = ((performance.now() - started) * 1e6) / n
      if (wrong > 0) throw new Error(`${query.name}: ${wrong} of ${n} answers were not ${query.status}`)
      return ns
    }
    // The cost of making the stand-ins (fresh strings, the request object), taken off the figure.
    const standIns = (n: number) => {
      const started = performance.now()
      let sink = 0
      for (let i = 0; i < n; i++) {
        const rawHeaders = headerBytes.map((b) => b.toString('latin1'))
        const req = { method: 'GET', url: targetBytes.toString('latin1'), rawHeaders, socket }
        sink += req.url.length + rawHeaders.length
      }
      if (sink === 0) throw new Error('unreachable')
      return ((performance.now() - started) * 1e6) / n
    }
    run(Math.min(requests, 200_000))
    const perRound: number[] = []
    for (let r = 0; r < rounds; r++) perRound.push(run(requests) - standIns(requests))
    const median = [...perRound].sort((a, b) => a - b)[Math.floor(perRound.length / 2)] as number
    const row = {
      query: query.name,
      target: query.target,
      status,
      nsPerRequest: Math.round(median),
      rounds: perRound.map(Math.round),
    }
    results.push(row)
    console.log(
      `${query.name.padEnd(20)} ${String(row.nsPerRequest).padStart(5)} ns/request  (rounds ${row.rounds.join(', ')})`,
    )
  }
  const out = fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(out, { recursive: true })
  writeFileSync(
    `${out}requestPath.json`,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, requests, rounds, results }, null, 2)}\n`,
  )
}

await main()

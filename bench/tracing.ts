/**
 * What traces cost a request (issue 15 item 3): the real service (`node bin/feecast.mjs start`, the
 * built dist/, API role on a real Redis) with tracing off (the default) and on (OTEL_EXPORTER_OTLP_ENDPOINT
 * to an OTLP/HTTP sink in this process that reads and drops what the SDK's exporter posts), side by side
 * in the same run, and on with TRACE_REQUEST_RATIO=0.01 (a span for 1 % of the requests), loaded by
 * `wrk`. With `--baseline <checkout>` a third server runs from another
 * checkout's dist/ (e.g. main before traces): "off" against it shows whether tracing off costs anything.
 *
 *   npm run build && npx tsx bench/tracing.ts [--duration 10] [--rounds 5] [--connections 50] [--baseline /work/main]
 *
 * The prediction served carries a block trace's traceparent, so every traced request also makes its
 * link. The servers alternate over the rounds (rotating order); the headline is the median per-round
 * ratio of requests/s to "off", beside server CPU per request (from /proc) and p50/p99. Writes
 * bench/results/tracing.json. Run it on an idle machine: a shared one makes the ratios noise.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { freePort } from '../src/lib/freePort.js'
import { chainsKey, storeKeys } from '../src/store/keys.js'
import { startRedisServer } from '../src/store/redisServer.js'
import { predictionFixture } from '../test/support/predictionFixture.js'
import { pinning, pinningNote, pinServer } from './pinning.js'
import { stop, waitForHttp } from './processes.js'
import { runWrk, type WrkResult } from './wrk.js'

const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : undefined
}
const durationSeconds = Number(option('duration') ?? 10)
const rounds = Number(option('rounds') ?? 5)
const connections = Number(option('connections') ?? 50)
const baselineDir = option('baseline')
const chainId = 1337
const root = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'feecast-bench-tracing-'))
const path = `/predict?chainId=${chainId}`

/** The share of requests traced by the `sampled` server. */
const sampledRatio = 0.01

type ServerName = 'off' | 'on' | 'sampled' | 'baseline'
type Run = WrkResult & { server: ServerName; round: number; cpuMicrosPerRequest: number }

function cpuMsOf(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}
const round3 = (x: number) => Math.round(x * 1000) / 1000

/** An OTLP/HTTP sink: reads each export, counts its spans, answers 200 (the exporter's happy path). */
async function startSink() {
  let spans = 0
  let exports = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      exports++
      spans += (
        Buffer.concat(chunks)
          .toString('utf8')
          .match(/"spanId"/g) ?? []
      ).length
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ exports, spans }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

async function spawnFeecast(checkout: string, env: Record<string, string>) {
  if (!existsSync(join(checkout, 'dist/cli.js')))
    throw new Error(`${checkout}/dist is missing: run \`npm run build\` there`)
  const port = await freePort()
  const child = spawn(process.execPath, [join(checkout, 'bin/feecast.mjs'), 'start'], {
    cwd: checkout,
    env: {
      PATH: process.env.PATH ?? '',
      FEECAST_ROLE: 'api',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_SECOND: '1000000',
      RATE_LIMIT_BURST: '1000000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(`${url}${path}`)
  if (child.pid) pinServer(child.pid)
  return { url, child }
}

async function main() {
  const redisServer = await startRedisServer({ dataDir: join(work, 'redis') })
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null })
  const sink = await startSink()
  let block = 1000
  /** A fresh prediction with a block trace's traceparent beside it (as the predictor stores it when tracing is on). */
  const publish = async () => {
    const prediction = predictionFixture({ chainId, blockNumber: block++ })
    const json = JSON.stringify({ ...prediction, traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` })
    await redis.set(storeKeys(chainId).prediction, json)
    await redis.sadd(chainsKey, String(chainId))
    await redis.publish(storeKeys(chainId).predictionChannel, json)
    await new Promise((r) => setTimeout(r, 100))
  }
  await publish()
  const servers: Partial<Record<ServerName, { url: string; child: ChildProcess }>> = {
    off: await spawnFeecast(root, { REDIS_URL: redisServer.url }),
    on: await spawnFeecast(root, { REDIS_URL: redisServer.url, OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint }),
    sampled: await spawnFeecast(root, {
      REDIS_URL: redisServer.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
      TRACE_REQUEST_RATIO: String(sampledRatio),
    }),
  }
  if (baselineDir) servers.baseline = await spawnFeecast(resolve(baselineDir), { REDIS_URL: redisServer.url })
  const names = Object.keys(servers) as ServerName[]

  const load = async (server: ServerName, round: number, seconds: number): Promise<Run> => {
    await publish()
    const s = servers[server]
    if (!s?.child.pid) throw new Error(`${server} is not running`)
    const before = cpuMsOf(s.child.pid)
    const result = await runWrk({
      url: `${s.url}${path}`,
      durationSeconds: seconds,
      connections,
      cpu: pinning?.client,
    })
    const cpuMs = cpuMsOf(s.child.pid) - before
    return {
      ...result,
      server,
      round,
      cpuMicrosPerRequest: Math.round(((cpuMs * 1000) / Math.max(1, result.requests)) * 10) / 10,
    }
  }
  for (const name of names) await load(name, -1, 2)
  const runs: Run[] = []
  for (let round = 0; round < rounds; round++) {
    // Each round starts with another server, so no server always runs first or last.
    const order = names.map((_, i) => names[(i + round) % names.length] as ServerName)
    for (const server of order) {
      const run = await load(server, round, durationSeconds)
      runs.push(run)
      console.log(
        `round ${round + 1} ${server.padEnd(8)} ${Math.round(run.requestsPerSecond)} req/s  cpu ${run.cpuMicrosPerRequest} µs/req  p50 ${run.p50Ms} ms  p99 ${run.p99Ms} ms  wrk ${run.clientCores} cores  non-2xx/3xx ${run.non2xx3xx}`,
      )
    }
  }
  const summary = (server: ServerName) => {
    const mine = runs.filter((r) => r.server === server)
    const ratios = Array.from({ length: rounds }, (_, round) => {
      const a = runs.find((r) => r.round === round && r.server === server)
      const off = runs.find((r) => r.round === round && r.server === 'off')
      return a && off ? round3(a.requestsPerSecond / off.requestsPerSecond) : Number.NaN
    })
    return {
      requestsPerSecond: Math.round(median(mine.map((r) => r.requestsPerSecond))),
      cpuMicrosPerRequest: median(mine.map((r) => r.cpuMicrosPerRequest)),
      p50Ms: median(mine.map((r) => r.p50Ms)),
      p99Ms: median(mine.map((r) => r.p99Ms)),
      wrkCores: median(mine.map((r) => r.clientCores)),
      non2xx3xx: mine.reduce((a, r) => a + r.non2xx3xx, 0),
      ratioToOff: round3(median(ratios)),
      roundRatiosToOff: ratios,
    }
  }
  for (const s of Object.values(servers)) if (s) await stop(s.child)
  const exported = sink.counts()
  await sink.close()
  await redis.quit()
  await redisServer.stop()
  rmSync(work, { recursive: true, force: true })

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    setup: {
      client: `wrk -t1 -c${connections} -d${durationSeconds}s --latency`,
      path,
      servers: {
        off: 'this checkout, no OTEL_* set (the default)',
        on: 'this checkout, OTEL_EXPORTER_OTLP_ENDPOINT set: a server span per request, linked to the block trace; batch OTLP/HTTP JSON export to an in-process sink',
        sampled: `as on, with TRACE_REQUEST_RATIO=${sampledRatio}: a span for that share of the requests`,
        ...(baselineDir ? { baseline: `${resolve(baselineDir)} (its dist/)` } : {}),
      },
      rounds,
      pinning: pinningNote,
    },
    servers: Object.fromEntries(names.map((n) => [n, summary(n)])),
    exported,
    runs,
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true })
  writeFileSync(join(root, 'bench/results/tracing.json'), `${JSON.stringify(result, null, 2)}\n`)
  for (const n of names) {
    const s = result.servers[n] as ReturnType<typeof summary>
    console.log(
      `${n.padEnd(8)} ${s.requestsPerSecond} req/s (x${s.ratioToOff} of off)  cpu ${s.cpuMicrosPerRequest} µs/req  p99 ${s.p99Ms} ms`,
    )
  }
  console.log(
    `spans exported by "on": ${exported.spans} in ${exported.exports} posts\nwritten to bench/results/tracing.json`,
  )
}

await main()

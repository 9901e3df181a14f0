/**
 * Head-to-answer benchmark (`npm run build && npx tsx bench/headToAnswer.ts [--blocks 200] [--cpu-blocks 30]
 * [--connections 50] [--modes ws,ws-one-thread,poll1000,poll100]`): the time from the devchain producing a block to
 * `GET /predict` answering with that block, measured from outside by a client that watches both, for the
 * sampler following heads over WebSocket (eth_subscribe newHeads) and polling over HTTP every 1 s and
 * 100 ms. Each mode runs `feecast start` (bin/feecast.mjs, the built service with its embedded Redis) as its
 * own process against one devchain (1-second blocks, its own process): `--cpu-blocks` blocks with no client
 * (the service's CPU time per block: node and its redis-server child), as many with the watching client
 * alone, then `--blocks` blocks with wrk
 * at `--connections` connections on /predict at the same time. Prints and writes
 * bench/results/head-to-answer.json. Run it on an idle machine: the figures are timings.
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { freePort } from '../src/lib/freePort.js'
import { runWrk, type WrkResult } from './wrk.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const { values: options } = parseArgs({
  options: {
    blocks: { type: 'string', default: '200' },
    'cpu-blocks': { type: 'string', default: '30' },
    connections: { type: 'string', default: '50' },
    /** ws-one-thread: WebSocket with the sampler and predictor on the API's thread (FEECAST_SAMPLER_WORKER=false). */
    modes: { type: 'string', default: 'ws,ws-one-thread,poll1000,poll100' },
    /** How often the watching client asks /predict (ms): the resolution of each sample. */
    'watch-ms': { type: 'string', default: '2' },
    out: { type: 'string', default: join(here, 'results', 'head-to-answer.json') },
  },
})
const blocks = Number(options.blocks)
const cpuBlocks = Number(options['cpu-blocks'])
const connections = Number(options.connections)
const watchMs = Number(options['watch-ms'])
const modes = options.modes.split(',') as Mode[]
type Mode = 'ws' | 'ws-one-thread' | 'poll1000' | 'poll100'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

type Ready = { type: 'ready'; url: string; wsUrl: string; chainId: number; head: number }
type BlockMessage = { type: 'block'; number: number; producedAt: number }

/** The devchain's process; `produced` maps each new block to when it became visible. */
function startDevchainProcess(): Promise<{
  child: ChildProcess
  ready: Ready
  produced: Map<number, number>
}> {
  const child = fork(join(here, 'headToAnswerDevchain.ts'), ['1'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const produced = new Map<number, number>()
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`devchain exited with ${code}`)))
    child.on('message', (message: Ready | BlockMessage) => {
      if (message.type === 'ready') resolve({ child, ready: message, produced })
      else produced.set(message.number, message.producedAt)
    })
  })
}

/** `feecast start` on the devchain: its API URL, pid and stop(). */
async function startService(mode: Mode, ready: Ready) {
  const port = await freePort()
  const stateDir = mkdtempSync(join(tmpdir(), 'feecast-bench-h2a-'))
  const child = spawn(process.execPath, [join(root, 'bin', 'feecast.mjs'), 'start'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      FEECAST_STATE_DIR: stateDir,
      [`RPC_URL_${ready.chainId}`]: mode.startsWith('ws') ? ready.wsUrl : ready.url,
      POLL_INTERVAL_MS: mode === 'poll100' ? '100' : '1000',
      FEECAST_SAMPLER_WORKER: mode === 'ws-one-thread' ? 'false' : 'true',
      HISTORY_BLOCKS: '256',
      // wrk's 50 connections come from one address: no rate limit in the way of the load.
      RATE_LIMIT_PER_SECOND: '0',
      MAX_CONNECTIONS_PER_CLIENT: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}/predict?chainId=${ready.chainId}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`feecast exited with ${child.exitCode}`)
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    )
    if (status === 200) break
    if (Date.now() > deadline) throw new Error('feecast did not answer /predict within 120 s')
    await sleep(200)
  }
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
      rmSync(stateDir, { recursive: true, force: true })
    },
  }
}

/** CPU seconds (user + system) of a process and its children (the embedded redis-server). */
function cpuSeconds(pid: number): number {
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0)
  let ticks = 0
  for (const p of [pid, ...children]) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {}
  }
  return ticks / 100
}

/**
 * Asks /predict every `watchMs` (If-None-Match: a 304 until the answer changes) and records when each
 * block number was first answered. A block the service skipped counts as answered by the first later one.
 */
function watchAnswers(url: string) {
  const answered = new Map<number, number>()
  let stopped = false
  let etag = ''
  let highest = -1
  const done = (async () => {
    while (!stopped) {
      const response = await fetch(url, { headers: etag ? { 'if-none-match': etag } : {} }).catch(() => null)
      const now = Date.now()
      if (response?.status === 200) {
        etag = response.headers.get('etag') ?? ''
        const { blockNumber } = (await response.json()) as { blockNumber: number }
        for (let n = highest + 1; n <= blockNumber; n++) if (highest >= 0) answered.set(n, now)
        if (highest < 0) answered.set(blockNumber, now)
        highest = Math.max(highest, blockNumber)
      } else await response?.arrayBuffer()
      await sleep(watchMs)
    }
  })()
  return {
    answered,
    async stop() {
      stopped = true
      await done
    },
  }
}

type Phase = {
  blocks: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  meanMs: number
  wrk?: Pick<WrkResult, 'requestsPerSecond' | 'p99Ms' | 'non2xx3xx' | 'socketErrors'>
}

/** The next block's number, once the block before it is out (so a phase starts on a block boundary). */
async function nextBlock(produced: Map<number, number>): Promise<number> {
  const first = Math.max(...produced.keys()) + 2
  while (!produced.has(first - 1)) await sleep(5)
  return first
}

/**
 * The service's CPU time per block over `count` blocks, with nothing else asking it anything (the
 * watching client's requests would be counted too).
 */
async function cpuPerBlock(service: { pid: number }, produced: Map<number, number>, count: number) {
  const first = await nextBlock(produced)
  const before = cpuSeconds(service.pid)
  while (!produced.has(first + count)) await sleep(20)
  return round(((cpuSeconds(service.pid) - before) * 1000) / count)
}

/** `count` blocks from the next one on: head-to-answer latencies, with wrk on /predict or not. */
async function measure(
  service: { url: string; pid: number },
  produced: Map<number, number>,
  count: number,
  withLoad: boolean,
): Promise<Phase> {
  const watcher = watchAnswers(service.url)
  const first = await nextBlock(produced)
  const load = withLoad
    ? runWrk({ url: service.url, durationSeconds: count + 3, connections, threads: 1 })
    : undefined
  const last = first + count - 1
  while (!watcher.answered.has(last)) await sleep(20)
  await watcher.stop()
  const wrk = await load
  const samples: number[] = []
  for (let n = first; n <= last; n++) {
    const at = watcher.answered.get(n)
    const made = produced.get(n)
    if (at !== undefined && made !== undefined) samples.push(at - made)
  }
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    blocks: samples.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    meanMs: round(samples.reduce((s, x) => s + x, 0) / samples.length),
    ...(wrk
      ? {
          wrk: {
            requestsPerSecond: wrk.requestsPerSecond,
            p99Ms: wrk.p99Ms,
            non2xx3xx: wrk.non2xx3xx,
            socketErrors: wrk.socketErrors,
          },
        }
      : {}),
  }
}

const { child: devchain, ready, produced } = await startDevchainProcess()
console.log(`devchain ${ready.url} and ${ready.wsUrl}: chain ${ready.chainId}, 1-second blocks`)
const runs: { mode: Mode; cpuMsPerBlock: number; idle: Phase; underLoad: Phase }[] = []
try {
  for (const mode of modes) {
    const service = await startService(mode, ready)
    try {
      const cpuMsPerBlock = await cpuPerBlock(service, produced, cpuBlocks)
      const idle = await measure(service, produced, cpuBlocks, false)
      console.log(
        `${mode}: service CPU ${cpuMsPerBlock} ms/block (node + redis-server, nothing else asking); idle over ${idle.blocks} blocks: p50 ${idle.p50Ms} ms, p99 ${idle.p99Ms} ms, max ${idle.maxMs} ms`,
      )
      const underLoad = await measure(service, produced, blocks, true)
      console.log(
        `${mode}: with wrk -c ${connections} on /predict (${underLoad.wrk?.requestsPerSecond} req/s) over ${underLoad.blocks} blocks: p50 ${underLoad.p50Ms} ms, p99 ${underLoad.p99Ms} ms, max ${underLoad.maxMs} ms`,
      )
      runs.push({ mode, cpuMsPerBlock, idle, underLoad })
    } finally {
      await service.stop()
    }
  }
} finally {
  devchain.send({ type: 'stop' })
}

const results = {
  measuredAt: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    node: process.version,
    loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
  },
  settings: { blocks, cpuBlocks, connections, watchMs, blockTimeSeconds: 1 },
  runs,
  how:
    'The devchain (simulated demand, seed 7, a block every second on its own clock) runs in its own process and ' +
    'reports when each block became visible over RPC; `feecast start` (the built service, embedded Redis) runs in ' +
    'its own process with RPC_URL set to the devchain ws:// URL (ws) or its http:// URL with POLL_INTERVAL_MS 1000 ' +
    'or 100. A client in this process asks /predict every watch-ms with If-None-Match and notes when each block ' +
    'number is first answered (a skipped block counts as answered by the next): latency = answered - produced, ' +
    'within watch-ms plus one request. CPU: the service process and its redis-server child, user + system time ' +
    'from /proc over cpu-blocks blocks while nothing asks it anything, per block. Then cpu-blocks blocks idle ' +
    '(the watching client alone). Under load: wrk -t 1 -c connections on the same /predict URL.',
}
writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`)
console.log(`wrote ${options.out}`)

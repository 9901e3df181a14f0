/**
 * Where the CPU of one block goes (`npm run build && npx tsx bench/profileHeadPath.ts [--blocks 30]
 * [--warmup-blocks 5] [--env KEY=VALUE,...]`): runs the built service (`node --cpu-prof bin/feecast.mjs
 * start`) on a devchain over WebSocket (1-second blocks, its own process, as bench/headToAnswer.ts does) with
 * no client load, keeps `--blocks` blocks after a warm-up, and splits the service's CPU time in that window by
 * stage: every profile sample goes to the nearest frame of feecast's own code (dist/) on its stack, named by
 * its file's stage (sampler, features, model, calibration, blob, store, feed, ...), or, with none, to the
 * package or runtime part at its leaf (ioredis, viem, GC, ...). Also the embedded redis-server's CPU (from
 * /proc) and the inclusive time of named functions. Prints ms of CPU per block; writes
 * bench/results/head-path-profile.json. CPU time, not timings: the figures hold on a busy machine too
 * (a sampling profile's resolution is ~1 ms per sample).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { freePort } from '../src/lib/freePort.js'
import { stop, waitForHttp } from './processes.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const { values: options } = parseArgs({
  options: {
    blocks: { type: 'string', default: '30' },
    'warmup-blocks': { type: 'string', default: '5' },
    /** Extra environment of the service, e.g. FEECAST_PREDICT_IN_WORKER=0. */
    env: { type: 'string', default: '' },
    label: { type: 'string', default: 'current' },
    out: { type: 'string', default: join(here, 'results', 'head-path-profile.json') },
    /** Also copy the raw .cpuprofile here (for Chrome DevTools or speedscope). */
    'keep-profile': { type: 'string', default: '' },
  },
})
const blocks = Number(options.blocks)
const warmupBlocks = Number(options['warmup-blocks'])
const extraEnv = Object.fromEntries(
  options.env
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
)

type CpuProfileNode = {
  id: number
  callFrame: { functionName: string; url: string }
  children?: number[]
}
type CpuProfile = {
  nodes: CpuProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** A profile's name for the file of feecast's code, or the package / runtime part a sample ran in. */
const stageOfProjectFile: [RegExp, string][] = [
  [/\/dist\/sampler\/|\/dist\/rpc\/|\/dist\/chains\/|\/dist\/fees\//, 'sampler'],
  [/\/dist\/features\//, 'features'],
  [/\/dist\/model\//, 'model'],
  [/\/dist\/predict\/(blobPredictor|buildBlobPrediction|blobMaxFee|blobCalibration)/, 'blob'],
  [/\/dist\/predict\/(calibration|tipCalibration|maxFee)/, 'calibration'],
  [/\/dist\/predict\/(buildPrediction)/, 'buildPrediction'],
  [/\/dist\/predict\/worker|\/dist\/predict\/predictorWorker/, 'worker'],
  [/\/dist\/predict\//, 'predictor'],
  [/\/dist\/store\//, 'store'],
  [/\/dist\/api\/predictionFeed/, 'feed'],
  [/\/dist\/api\//, 'api'],
  [/\/dist\/metrics\//, 'metrics'],
  [/\/dist\/tracing\//, 'tracing'],
  [/\/dist\/devchain\//, 'devchain'],
  [/\/dist\//, 'other feecast'],
  [/\/packages\/client\//, '@feecast/client'],
]

const packageOf = (url: string): string | null => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  return m?.[1] ?? null
}

/** Functions whose inclusive time is reported (name, or name@file-part). */
const inclusiveFunctions = [
  'runOnce',
  'predictHead',
  'buildPrediction',
  'computeFeatures',
  'toFeeSeries',
  'forecast',
  'calibrateRunMax',
  'tipFor',
  'marketOf',
  'trustOf',
  'estimatesOf',
  'predict@blobPredictor',
  'buildBlobPrediction',
  'observe@createPredictor',
  'writePrediction',
  'storePrediction',
  'stringify',
  'parse',
  'accept@predictionFeed',
  'readLatestBlocks',
  'parseBlockRecord',
  'deserializeBlockRecord',
  'writeBlocks',
  'follow',
  'fetchBlock',
  'blockToRecord',
  'garbage collector',
]

function analyse(profile: CpuProfile, fromUs: number, toUs: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const byStage = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let t = profile.startTime
  let totalUs = 0
  let idleUs = 0
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0
    if (t < fromUs || t > toUs) continue
    // Each sample stands for the time until the next one.
    const us = profile.timeDeltas[i + 1] ?? 0
    const leaf = byId.get(profile.samples[i] ?? -1)
    if (!leaf) continue
    const leafName = leaf.callFrame.functionName
    if (leafName === '(idle)') {
      idleUs += us
      continue
    }
    totalUs += us
    const stack: CpuProfileNode[] = []
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id)
      if (node) stack.push(node)
    }
    byStage.set(stageOf(stack), (byStage.get(stageOf(stack)) ?? 0) + us)
    const seen = new Set<string>()
    for (const node of stack)
      for (const f of inclusiveFunctions) {
        const [name, file] = f.split('@')
        if (
          node.callFrame.functionName !== name &&
          !(name === 'garbage collector' && leafName === '(garbage collector)')
        )
          continue
        if (file && !node.callFrame.url.includes(file)) continue
        seen.add(f)
      }
    if (leafName === '(garbage collector)') seen.add('garbage collector')
    for (const f of seen) inclusive.set(f, (inclusive.get(f) ?? 0) + us)
  }
  return { totalUs, idleUs, byStage, inclusive }
}

function stageOf(stack: readonly CpuProfileNode[]): string {
  for (const node of stack) {
    const url = node.callFrame.url
    for (const [pattern, stage] of stageOfProjectFile) if (pattern.test(url)) return stage
  }
  const leaf = stack[0]
  if (!leaf) return 'unknown'
  const name = leaf.callFrame.functionName
  if (name.startsWith('(')) return name
  for (const node of stack) {
    const pkg = packageOf(node.callFrame.url)
    if (pkg) return pkg
  }
  if (leaf.callFrame.url.startsWith('node:')) return `node:${leaf.callFrame.url.slice(5).split('/')[0]}`
  return leaf.callFrame.url === '' ? `(native ${name || 'anonymous'})` : 'other'
}

/** The devchain's process; `nextBlocks(n)` resolves when it has produced n more blocks. */
function startDevchainProcess(): Promise<{
  child: ChildProcess
  wsUrl: string
  chainId: number
  nextBlocks: (n: number) => Promise<void>
}> {
  const child = fork(join(here, 'headToAnswerDevchain.ts'), ['1'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiters: { left: number; done: () => void }[] = []
  const nextBlocks = (left: number) => new Promise<void>((done) => waiters.push({ left, done }))
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`devchain exited with ${code}`)))
    child.on('message', (message: { type: string; wsUrl: string; chainId: number }) => {
      if (message.type === 'ready')
        resolve({ child, wsUrl: message.wsUrl, chainId: message.chainId, nextBlocks })
      if (message.type !== 'block') return
      for (const w of waiters.splice(0))
        if (--w.left > 0) waiters.push(w)
        else w.done()
    })
  })
}

/** The CPU seconds of a process (user + system) from /proc. */
const cpuMsOf = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return Number.NaN
  }
}
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

const devchain = await startDevchainProcess()
const profileDir = mkdtempSync(join(tmpdir(), 'feecast-profile-'))
const stateDir = mkdtempSync(join(tmpdir(), 'feecast-profile-state-'))
const port = await freePort()
const spawnedAt = Date.now()
const service = spawn(
  process.execPath,
  ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, join(root, 'bin', 'feecast.mjs'), 'start'],
  {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      FEECAST_STATE_DIR: stateDir,
      [`RPC_URL_${devchain.chainId}`]: devchain.wsUrl,
      HISTORY_BLOCKS: '256',
      ...extraEnv,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
)
try {
  const url = `http://127.0.0.1:${port}/predict?chainId=${devchain.chainId}`
  await waitForHttp(url)
  // No client during the window: the devchain says when its blocks are made.
  await devchain.nextBlocks(warmupBlocks)
  const redisPids = childrenOf(service.pid ?? 0)
  const from = { at: Date.now(), redisMs: redisPids.reduce((s, p) => s + cpuMsOf(p), 0) }
  await devchain.nextBlocks(blocks)
  const to = { at: Date.now(), redisMs: redisPids.reduce((s, p) => s + cpuMsOf(p), 0) }
  const measured = blocks
  await stop(service)
  // One profile per thread (the main thread's and the sampling worker's): their clocks are the same.
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))
  if (files.length === 0) throw new Error('no profile written')
  const profiles = files.map((file) => {
    const raw = readFileSync(join(profileDir, file), 'utf8')
    if (options['keep-profile']) writeFileSync(`${options['keep-profile']}.${file}`, raw)
    return JSON.parse(raw) as CpuProfile
  })
  // The main thread's profile starts with the process: the window's offsets from the spawn, in µs.
  const processStart = Math.min(...profiles.map((p) => p.startTime))
  const fromUs = processStart + (from.at - spawnedAt) * 1000
  const toUs = processStart + (to.at - spawnedAt) * 1000
  const threads = profiles.map((profile) => analyse(profile, fromUs, toUs))
  const sum = (pick: (t: (typeof threads)[number]) => Map<string, number>) => {
    const total = new Map<string, number>()
    for (const t of threads) for (const [k, v] of pick(t)) total.set(k, (total.get(k) ?? 0) + v)
    return total
  }
  const totalUs = threads.reduce((s, t) => s + t.totalUs, 0)
  const idleUs = threads.reduce((s, t) => s + t.idleUs, 0)
  const byStage = sum((t) => t.byStage)
  const inclusive = sum((t) => t.inclusive)
  const perBlock = (us: number) => Math.round(us / 10 / measured) / 100
  const stages = Object.fromEntries(
    [...byStage].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, perBlock(v)]),
  )
  const functions = Object.fromEntries(
    [...inclusive].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, perBlock(v)]),
  )
  const result = {
    label: options.label,
    measuredAt: new Date().toISOString(),
    settings: { blocks: measured, warmupBlocks, env: extraEnv },
    cpuMsPerBlock: {
      node: perBlock(totalUs),
      byThread: threads.map((t) => perBlock(t.totalUs)),
      redisServer: Math.round(((to.redisMs - from.redisMs) / measured) * 100) / 100,
      nodeIdleInWindow: perBlock(idleUs),
    },
    stagesMsPerBlock: stages,
    inclusiveMsPerBlock: functions,
  }
  console.log(JSON.stringify(result, null, 2))
  mkdirSync(dirname(options.out), { recursive: true })
  let saved: unknown[] = []
  try {
    saved = JSON.parse(readFileSync(options.out, 'utf8')) as unknown[]
  } catch {}
  writeFileSync(
    options.out,
    `${JSON.stringify([...saved.filter((r) => (r as { label?: string }).label !== options.label), result], null, 2)}\n`,
  )
} finally {
  await stop(service)
  devchain.child.send({ type: 'stop' })
  await new Promise((resolve) => devchain.child.once('exit', resolve))
  rmSync(stateDir, { recursive: true, force: true })
  rmSync(profileDir, { recursive: true, force: true })
}

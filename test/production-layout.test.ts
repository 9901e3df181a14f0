import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../src/lib/freePort.js'
import { syntheticHistoryFile } from './helpers/historyFile.js'
import { waitFor } from './support/waitFor.js'

/**
 * The image's layout without Docker (no engine runs here): an empty directory holding only what the
 * Dockerfile's runtime stage copies — dist/, models/, bin/, the package files and the built
 * @feecast/client — with the production dependencies installed by plain `npm ci --omit=dev`. Every CLI
 * command runs from there: no sources, no TypeScript loader, no dev tools.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = promisify(execFile)
let app: string
let history: { path: string; dir: string }

/** Runs `feecast <args>` in the production directory; resolves with its output and exit code. */
async function feecast(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(app, 'bin/feecast.mjs'), ...args], {
      cwd: app,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 180_000,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

function spawnFeecast(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(app, 'bin/feecast.mjs'), ...args], {
    cwd: app,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  return { child, output: () => output }
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  child.kill('SIGTERM')
  return exited
}

async function rpc(url: string, method: string, params: unknown[] = []) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return ((await response.json()) as { result: unknown }).result
}

beforeAll(async () => {
  for (const built of ['dist/cli.js', 'packages/client/dist/esm/index.js'])
    await stat(join(root, built)).catch(() => {
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`)
    })
  app = await mkdtemp(join(tmpdir(), 'feecast-production-'))
  for (const path of ['dist', 'models', 'bin', 'package.json', 'package-lock.json'])
    await cp(join(root, path), join(app, path), { recursive: true })
  await mkdir(join(app, 'packages/client'), { recursive: true })
  for (const path of ['package.json', 'dist'])
    await cp(join(root, 'packages/client', path), join(app, 'packages/client', path), { recursive: true })
  await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: app,
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  history = await syntheticHistoryFile({ blocks: 700, seed: 3, name: 'history.csv' })
}, 660_000)

afterAll(async () => {
  if (app) await rm(app, { recursive: true, force: true })
  if (history) await rm(history.dir, { recursive: true, force: true })
})

describe('the production layout (dist, models, production dependencies)', () => {
  it('has no sources and no dev tools', async () => {
    const entries = await readdir(app)
    expect(entries.sort()).toEqual([
      'bin',
      'dist',
      'models',
      'node_modules',
      'package-lock.json',
      'package.json',
      'packages',
    ])
    const modules = await readdir(join(app, 'node_modules'))
    for (const devTool of ['tsx', 'vitest', 'hardhat', '@biomejs', 'autocannon'])
      expect(modules).not.toContain(devTool)
    const dist = await readdir(join(app, 'dist'), { recursive: true })
    expect(dist.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false)
  })

  it('feecast --help lists every command', async () => {
    const { code, stdout } = await feecast(['--help'])
    expect(code).toBe(0)
    for (const command of ['start', 'devchain', 'collect', 'train', 'backtest'])
      expect(stdout).toContain(command)
  })

  it('feecast start serves /predict on the embedded default, and stops cleanly on SIGTERM', async () => {
    const port = await freePort()
    const state = await mkdtemp(join(tmpdir(), 'feecast-production-state-'))
    const { child, output } = spawnFeecast(['start'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      FEECAST_STATE_DIR: state,
    })
    try {
      const body = await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output().slice(-2000)}`)
          const response = await fetch(`http://127.0.0.1:${port}/predict?chainId=1337`)
          return response.status === 200
            ? ((await response.json()) as { model: { backend: string } })
            : undefined
        },
        { timeoutMs: 90_000, intervalMs: 250, message: () => `/predict 200\n${output().slice(-3000)}` },
      )
      expect(body.model.backend).toMatch(/wasm|cpu|tensorflow/)
    } finally {
      expect(await stop(child)).toBe(0)
      await rm(state, { recursive: true, force: true })
    }
  }, 120_000)

  it('feecast devchain serves JSON-RPC, and feecast collect writes its history', async () => {
    const port = await freePort()
    const { child, output } = spawnFeecast(['devchain', '--port', String(port), '--history', '32'])
    const url = `http://127.0.0.1:${port}`
    try {
      const head = await waitFor(async () => Number(BigInt((await rpc(url, 'eth_blockNumber')) as string)), {
        timeoutMs: 30_000,
        message: () => `devchain answering\n${output()}`,
      })
      expect(head).toBeGreaterThanOrEqual(31)
      const out = join(app, 'collected.csv')
      const collected = await feecast(['collect', '--rpc', url, '--from', '1', '--to', '20', '--out', out])
      expect(collected.code, collected.stderr).toBe(0)
      const lines = (await readFile(out, 'utf8')).trim().split('\n')
      expect(lines[0]).toMatch(/^number,timestamp,base_fee_per_gas/)
      expect(lines).toHaveLength(21)
    } finally {
      expect(await stop(child)).toBe(0)
    }
  }, 60_000)

  it('feecast train writes a model, and feecast backtest runs it', async () => {
    const out = join(app, 'trained')
    const trained = await feecast(['train', '--data', history.path, '--out', out, '--epochs', '1'])
    expect(trained.code, trained.stderr).toBe(0)
    expect((await readdir(out)).sort()).toEqual(
      expect.arrayContaining(['README.md', 'model.json', 'weights.bin']),
    )
    const backtest = await feecast(['backtest', '--data', history.path, '--model', out, '--json'])
    expect(backtest.code, backtest.stderr).toBe(0)
    const { rows } = JSON.parse(backtest.stdout) as { rows: Array<{ predictor: string }> }
    expect(rows.some((r) => r.predictor === 'feecast')).toBe(true)
  }, 240_000)

  it('bad input gets one line and exit 2, not a stack trace', async () => {
    const { code, stderr } = await feecast(['backtest', '--data', join(app, 'missing.csv')])
    expect(code).toBe(2)
    expect(stderr).toMatch(/^feecast: /)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
})

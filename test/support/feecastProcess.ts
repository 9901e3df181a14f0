import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../src/lib/freePort.js'
import { waitFor } from './waitFor.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export type FeecastProcess = {
  child: ChildProcess
  /** The API's base URL (PORT chosen free). */
  url: string
  port: number
  /** Everything written to stdout and stderr so far. */
  output(): string
  /** What was written to stderr alone. */
  stderr(): string
  /** The JSON log lines written so far (lines that are not JSON are left out). */
  logs(): Array<Record<string, unknown>>
  /** Waits for a log line whose msg matches (and whose fields satisfy `where`). */
  waitForLog(
    msg: RegExp,
    timeoutMs: number,
    where?: (line: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown>>
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
  /** Signals it and waits for the exit code (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>
}

/**
 * `feecast start` (bin/feecast.mjs) as its own process, as an operator runs it: configuration from
 * the environment, logs on stdout. PORT is a free port unless given; HOST 127.0.0.1.
 */
export async function startFeecast({
  env,
  spawnOptions = {},
  command = 'start',
  checkout = root,
}: {
  env: Record<string, string>
  spawnOptions?: SpawnOptions
  command?: string
  /** The built checkout to run (default: this one); e.g. a previous version's (previousBuild.ts). */
  checkout?: string
}): Promise<FeecastProcess> {
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT)
  const child = spawn(process.execPath, [join(checkout, 'bin/feecast.mjs'), command], {
    cwd: checkout,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...spawnOptions,
  })
  let output = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => {
    output += d
    stderr += d
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const logs = () =>
    output.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return []
      try {
        return [JSON.parse(line) as Record<string, unknown>]
      } catch {
        return []
      }
    })
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stderr: () => stderr,
    logs,
    waitForLog: (msg, timeoutMs, where = () => true) =>
      waitFor(() => logs().find((l) => typeof l.msg === 'string' && msg.test(l.msg) && where(l)), {
        timeoutMs,
        message: () => `a log line matching ${msg}; last output:\n${output.slice(-3000)}`,
      }),
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}

/** Polls `url` until it answers `status` (any body). */
export async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<Response> {
  return waitFor(
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      if (response.status === status) return response
      await response.body?.cancel()
      return undefined
    },
    { timeoutMs, intervalMs: 250, message: `${url} answering ${status}` },
  )
}

export type EmbeddedFeecast = {
  /** The API's base URL. */
  url: string
  /** The embedded devchain's JSON-RPC URL. */
  devchainUrl: string
  process: FeecastProcess
  /** SIGTERM (SIGKILL after 15 s); removes the state directory it made. */
  stop(): Promise<void>
}

/**
 * `feecast start` on its embedded default (its own devchain and private redis-server, in a fresh state
 * directory), resolved once `/predict?chainId=<waitForChain>` answers 200.
 */
export async function startFeecastProcess({
  env = {},
  waitForChain = 1337,
  timeoutMs = 90_000,
}: {
  env?: Record<string, string>
  waitForChain?: number
  timeoutMs?: number
} = {}): Promise<EmbeddedFeecast> {
  const devchainPort = env.DEVCHAIN_PORT ?? String(await freePort())
  const stateDir = env.FEECAST_STATE_DIR ?? (await mkdtemp(join(tmpdir(), 'feecast-process-')))
  const process_ = await startFeecast({
    env: { RATE_LIMIT_PER_SECOND: '0', ...env, DEVCHAIN_PORT: devchainPort, FEECAST_STATE_DIR: stateDir },
  })
  const stop = async () => {
    await process_.stop('SIGTERM', 15_000)
    if (env.FEECAST_STATE_DIR === undefined) await rm(stateDir, { recursive: true, force: true })
  }
  try {
    await waitForStatus(`${process_.url}/predict?chainId=${waitForChain}`, 200, timeoutMs)
  } catch (error) {
    await stop()
    throw new Error(`${(error as Error).message}\n${process_.output().slice(-3000)}`)
  }
  return { url: process_.url, devchainUrl: `http://127.0.0.1:${devchainPort}`, process: process_, stop }
}

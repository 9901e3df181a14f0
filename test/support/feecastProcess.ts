import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
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
}: {
  env: Record<string, string>
  spawnOptions?: SpawnOptions
  command?: string
}): Promise<FeecastProcess> {
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT)
  const child = spawn(process.execPath, [join(root, 'bin/feecast.mjs'), command], {
    cwd: root,
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

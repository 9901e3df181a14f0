import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../src/lib/freePort.js'
import { waitFor } from './waitFor.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export type FeecastProcess = {
  /** The API's base URL. */
  url: string
  /** The embedded devchain's JSON-RPC URL (when it runs one). */
  devchainUrl: string
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string
  /** SIGTERM, then SIGKILL after 15 s; removes the state directory. */
  stop(): Promise<void>
}

export type StartFeecastProcessParameters = {
  /** Extra environment (PORT, DEVCHAIN_PORT and FEECAST_STATE_DIR are chosen unless given). */
  env?: Record<string, string>
  /** Wait until `/predict?chainId=<this>` answers 200 (default 1337, the devchain); null: do not wait. */
  waitForChain?: number | null
  timeoutMs?: number
}

/**
 * The real `feecast start` (the built CLI, bin/feecast.mjs) as a child process, on the embedded default
 * (its own devchain and private redis-server) unless `env` says otherwise. Resolves once it serves.
 */
export async function startFeecastProcess({
  env = {},
  waitForChain = 1337,
  timeoutMs = 90_000,
}: StartFeecastProcessParameters = {}): Promise<FeecastProcess> {
  const port = env.PORT ?? String(await freePort())
  const devchainPort = env.DEVCHAIN_PORT ?? String(await freePort())
  const stateDir = env.FEECAST_STATE_DIR ?? (await mkdtemp(join(tmpdir(), 'feecast-process-')))
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/feecast.mjs'), 'start'], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      RATE_LIMIT_PER_SECOND: '0',
      ...env,
      PORT: port,
      DEVCHAIN_PORT: devchainPort,
      FEECAST_STATE_DIR: stateDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-50_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
    if (env.FEECAST_STATE_DIR === undefined) await rm(stateDir, { recursive: true, force: true })
  }
  if (waitForChain !== null) {
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`feecast exited with ${child.exitCode}`)
          return (await fetch(`${url}/predict?chainId=${waitForChain}`)).status === 200
        },
        {
          timeoutMs,
          intervalMs: 250,
          message: () => `feecast start serving chain ${waitForChain}\n${output.slice(-3000)}`,
        },
      )
    } catch (error) {
      await stop()
      throw error
    }
  }
  return { url, devchainUrl: `http://127.0.0.1:${devchainPort}`, output: () => output, stop }
}

import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { FeecastError } from '../errors.js'
import { freePort } from '../lib/freePort.js'

export class RedisServerError extends FeecastError {
  override name = 'RedisServerError'
}

export type StartRedisServerParameters = {
  /** Where the append-only file and snapshot live; reused across restarts so data survives them. */
  dataDir: string
  port?: number
  /** Path of the redis-server binary (default: found on PATH). */
  binary?: string
}

export type RedisServer = {
  url: string
  port: number
  dataDir: string
  /** Graceful shutdown (SHUTDOWN via SIGTERM: the append-only file is flushed). */
  stop(): Promise<void>
  /** Crash it (SIGKILL), as a power cut or OOM kill would. */
  kill(): Promise<void>
  /** Start it again on the same port and data directory. */
  restart(): Promise<void>
  readonly running: boolean
}

export function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' })
  const path = found.stdout.trim()
  return found.status === 0 && path ? path : undefined
}

/**
 * Runs a private redis-server child: the embedded default's store and the tests' real Redis.
 * appendfsync always: a write Redis acknowledged is on disk, so a crash loses nothing acknowledged.
 */
export async function startRedisServer({
  dataDir,
  port,
  binary,
}: StartRedisServerParameters): Promise<RedisServer> {
  const bin = binary ?? findRedisServer()
  if (!bin)
    throw new RedisServerError('redis-server was not found on PATH', {
      details: 'Install it (Debian: apt-get install redis-server) or set REDIS_URL to an existing Redis.',
    })
  const dir = resolve(dataDir)
  mkdirSync(dir, { recursive: true })
  const chosenPort = port ?? (await freePort())
  let child: ChildProcess | undefined

  const launch = () =>
    new Promise<void>((ok, fail) => {
      const args = [
        '--port',
        String(chosenPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '60 1',
        '--daemonize',
        'no',
        '--protected-mode',
        'yes',
        '--loglevel',
        'notice',
      ]
      const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      child = proc
      let output = ''
      const timer = setTimeout(() => {
        proc.kill('SIGKILL')
        fail(new RedisServerError('redis-server did not start within 10 s', { details: output.slice(-2000) }))
      }, 10_000)
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-4000)
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer)
          ok()
        }
      }
      proc.stdout!.on('data', onData)
      proc.stderr!.on('data', onData)
      proc.once('exit', (code) => {
        clearTimeout(timer)
        fail(
          new RedisServerError(`redis-server exited with code ${code} while starting`, {
            details: output.slice(-2000),
          }),
        )
      })
      proc.once('error', (error) => {
        clearTimeout(timer)
        fail(new RedisServerError('redis-server could not be spawned', { cause: error }))
      })
    })

  const stopWith = (signal: NodeJS.Signals) =>
    new Promise<void>((done) => {
      const proc = child
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return done()
      proc.once('exit', () => done())
      proc.kill(signal)
    })

  await launch()
  const server: RedisServer = {
    url: `redis://127.0.0.1:${chosenPort}`,
    port: chosenPort,
    dataDir: dir,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    restart: async () => {
      await stopWith('SIGTERM')
      await launch()
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null
    },
  }
  return server
}

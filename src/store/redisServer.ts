import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { resolve } from 'node:path'
import { freePort } from '../lib/freePort.js'
import { makeDirectory } from '../lib/makeDirectory.js'
import { type DirLock, lockDirectory, processAlive } from './dirLock.js'
import { RedisServerError } from './errors.js'

export { RedisServerError }

/** What a supervised redis-server says and does, for the caller's logs and metrics. */
export type RedisServerEvent =
  /** A line it wrote, and whether it warns (redisLineLevel). */
  | { type: 'output'; line: string; level: 'warning' | 'notice' }
  /** It exited on its own (crash, kill, its disk full): its last lines say why. */
  | { type: 'exited'; code: number | null; signal: string | null; lastOutput: string }
  /** It is running again after `attempt` tries. */
  | { type: 'restarted'; attempt: number }
  /** A restart failed; another follows after `retryInMs`. */
  | { type: 'restart-failed'; attempt: number; error: RedisServerError; retryInMs: number }
  /** A redis-server left on this data directory by a feecast that is gone was stopped. */
  | { type: 'orphan-stopped'; pid: number }

export type StartRedisServerParameters = {
  /** Where the append-only file and snapshot live; reused across restarts so data survives them. */
  dataDir: string
  port?: number
  /** Path of the redis-server binary (default: found on PATH). */
  binary?: string
  /** Restart it when it exits on its own, with back-off (default false: tests kill it on purpose). */
  supervise?: boolean
  /** First and largest delay between restarts (ms, defaults 250 and 10000). */
  restartDelayMs?: { initial: number; max: number }
  onEvent?: (event: RedisServerEvent) => void
}

export type RedisServer = {
  url: string
  port: number
  dataDir: string
  /** The running redis-server's process id (changes on restart). */
  readonly pid: number | undefined
  /** Graceful shutdown (SHUTDOWN via SIGTERM: the append-only file is flushed). Ends supervision. */
  stop(): Promise<void>
  /** Crash it (SIGKILL), as a power cut or OOM kill would. A supervised one comes back by itself. */
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
 * Runs redis-server so that it cannot outlive this process: a watcher reads the stdin pipe this
 * process holds, and when the pipe closes (this process exited, even by SIGKILL) it stops redis-server
 * with SIGTERM, which flushes the append-only file (SIGKILL 10 s later if it will not stop: it cannot
 * save once its directory is gone). `exec` keeps redis-server's pid the child's.
 * (A background list's stdin is /dev/null in a non-interactive shell: the pipe is passed on fd 3.)
 */
export const watchdogScript = [
  'bin="$1"; shift',
  'exec 3<&0',
  '( while read -r _ <&3; do :; done',
  '  alive() { case "$(cat /proc/$$/comm 2>/dev/null)" in redis*) return 0;; esac; return 1; }',
  '  alive && kill -TERM $$ 2>/dev/null',
  // It may refuse to stop (it cannot save: its directory is gone); it does not get to stay.
  '  n=0; while alive && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done',
  '  alive && kill -KILL $$ 2>/dev/null ) &',
  'exec 3<&-',
  'exec "$bin" "$@"',
].join('\n')

/** redis-server processes whose working directory (redis chdirs to --dir) is `dir`. Linux; [] elsewhere. */
export function redisServersOn(dir: string): number[] {
  const found: number[] = []
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return found
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue
    try {
      if (!readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('redis-server')) continue
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) found.push(Number(entry))
    } catch {}
  }
  return found
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Stops redis-servers left on `dir` (their feecast is gone: this process holds the directory's lock). */
async function stopOrphans(dir: string, onEvent?: (event: RedisServerEvent) => void): Promise<void> {
  for (const pid of redisServersOn(dir)) {
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      continue
    }
    for (let waited = 0; processAlive(pid) && waited < 10_000; waited += 50) await sleep(50)
    if (processAlive(pid)) process.kill(pid, 'SIGKILL')
    for (let waited = 0; processAlive(pid) && waited < 2_000; waited += 50) await sleep(50)
    onEvent?.({ type: 'orphan-stopped', pid })
  }
}

/**
 * Runs a private redis-server child: the embedded default's store and the tests' real Redis.
 * appendfsync always: a write Redis acknowledged is on disk, so a crash loses nothing acknowledged.
 * One per data directory (a lock file; a redis-server left there by a killed feecast is stopped first),
 * never outliving this process, and with `supervise` restarted when it exits on its own.
 */
export async function startRedisServer({
  dataDir,
  port,
  binary,
  supervise = false,
  restartDelayMs = { initial: 250, max: 10_000 },
  onEvent,
}: StartRedisServerParameters): Promise<RedisServer> {
  const bin = binary ?? findRedisServer()
  if (!bin)
    throw new RedisServerError('redis-server was not found on PATH', {
      details: 'Install it (Debian: apt-get install redis-server) or set REDIS_URL to an existing Redis.',
    })
  const dir = resolve(dataDir)
  makeDirectory(dir)
  const lock: DirLock = lockDirectory(dir, 'Redis data directory (FEECAST_STATE_DIR)')
  let redis: RedisProcess
  try {
    await stopOrphans(dir, onEvent)
    const chosenPort = port ?? (await freePort())
    redis = createRedisProcess({ bin, args: redisArgs(chosenPort, dir), supervise, restartDelayMs, onEvent })
    await redis.launch()
    return {
      url: `redis://127.0.0.1:${chosenPort}`,
      port: chosenPort,
      dataDir: dir,
      get pid() {
        return redis.pid
      },
      stop: async () => {
        await redis.stop()
        lock.release()
      },
      kill: () => redis.kill(),
      restart: () => redis.restart(),
      get running() {
        return redis.running
      },
    }
  } catch (error) {
    lock.release()
    throw error
  }
}

/** redis-server's command line: loopback only, append-only with fsync on every write, in the foreground. */
function redisArgs(port: number, dir: string): string[] {
  return [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', '60 1'],
    ...['--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'notice'],
  ]
}

type RedisProcess = {
  /** Starts it; resolves once it accepts connections. */
  launch(): Promise<void>
  /** SIGTERM (it flushes its append-only file); ends supervision. */
  stop(): Promise<void>
  kill(): Promise<void>
  restart(): Promise<void>
  readonly pid: number | undefined
  readonly running: boolean
}

/**
 * The redis-server child over its restarts: which process is current, which exits were asked for, and
 * (supervised) a restart with back-off after an exit nobody asked for.
 * (Long as a whole: its short inner functions share which child is current.)
 */
function createRedisProcess({
  bin,
  args,
  supervise,
  restartDelayMs,
  onEvent,
}: {
  bin: string
  args: string[]
  supervise: boolean
  restartDelayMs: { initial: number; max: number }
  onEvent: ((event: RedisServerEvent) => void) | undefined
}): RedisProcess {
  let child: ChildProcess | undefined
  /** Children stopped on purpose (restart()): their exit is not a crash to recover from. */
  const expectedExits = new WeakSet<ChildProcess>()
  let stopping = false
  let restartTimer: NodeJS.Timeout | undefined

  const launch = () =>
    spawnRedisServer({
      bin,
      args,
      onEvent,
      onSpawn: (proc) => {
        child = proc
      },
      onExit: (proc, exit) => {
        if (child !== proc || stopping || expectedExits.has(proc)) return
        onEvent?.({ type: 'exited', ...exit })
        if (supervise) scheduleRestart(1)
      },
    })

  const delayOf = (attempt: number) =>
    Math.min(restartDelayMs.max, restartDelayMs.initial * 2 ** (attempt - 1))

  const scheduleRestart = (attempt: number) => {
    if (stopping) return
    restartTimer = setTimeout(async () => {
      restartTimer = undefined
      if (stopping) return
      try {
        await launch()
        if (stopping) return await stopWith('SIGTERM')
        onEvent?.({ type: 'restarted', attempt })
      } catch (error) {
        const failure =
          error instanceof RedisServerError
            ? error
            : new RedisServerError('redis-server could not be restarted', { cause: error })
        onEvent?.({ type: 'restart-failed', attempt, error: failure, retryInMs: delayOf(attempt + 1) })
        scheduleRestart(attempt + 1)
      }
    }, delayOf(attempt))
    restartTimer.unref()
  }

  const stopWith = (signal: NodeJS.Signals) =>
    new Promise<void>((done) => {
      const proc = child
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return done()
      proc.once('exit', () => done())
      proc.kill(signal)
    })

  return {
    launch,
    stop: async () => {
      stopping = true
      clearTimeout(restartTimer)
      await stopWith('SIGTERM')
    },
    kill: () => stopWith('SIGKILL'),
    restart: async () => {
      if (child) expectedExits.add(child)
      clearTimeout(restartTimer)
      await stopWith('SIGTERM')
      await launch()
    },
    get pid() {
      return child?.pid
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null
    },
  }
}

/**
 * Spawns redis-server under the watchdog and resolves once it accepts connections (rejects if it exits
 * first, fails to spawn, or is not ready within 10 s). Its lines go to onEvent; an exit after it was
 * ready goes to onExit with its last words.
 */
function spawnRedisServer({
  bin,
  args,
  onEvent,
  onSpawn,
  onExit,
}: {
  bin: string
  args: string[]
  onEvent: ((event: RedisServerEvent) => void) | undefined
  onSpawn: (proc: ChildProcess) => void
  onExit: (
    proc: ChildProcess,
    exit: { code: number | null; signal: string | null; lastOutput: string },
  ) => void
}): Promise<void> {
  return new Promise<void>((ok, fail) => {
    const proc = spawn('sh', ['-c', watchdogScript, 'feecast-redis', bin, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C signals the whole foreground group, and redis-server
      // stopping on it before feecast's ordered shutdown reached it was logged as a crash and restarted.
      // It still never outlives feecast: the watchdog stops it when the pipe closes.
      detached: true,
    })
    onSpawn(proc)
    let ready = false
    const output = outputLines((line) => {
      onEvent?.({ type: 'output', line, level: redisLineLevel(line) })
      if (!ready && line.includes('Ready to accept connections')) {
        ready = true
        clearTimeout(timer)
        ok()
      }
    })
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      fail(new RedisServerError('redis-server did not start within 10 s', { details: output.last(2000) }))
    }, 10_000)
    proc.stdout?.on('data', output.push)
    proc.stderr?.on('data', output.push)
    // The pipe is only there to close when this process goes away; writing to it is never needed.
    proc.stdin?.on('error', () => {})
    proc.once('exit', (code, signal) => {
      clearTimeout(timer)
      proc.stdin?.destroy()
      if (ready) onExit(proc, { code, signal, lastOutput: output.last(2000) })
      else
        fail(
          new RedisServerError(`redis-server exited with code ${code} while starting`, {
            details: output.last(2000),
          }),
        )
    })
    proc.once('error', (error) => {
      clearTimeout(timer)
      fail(new RedisServerError('redis-server could not be spawned', { cause: error }))
    })
  })
}

/**
 * Redis marks its lines `pid:role date time <mark> message`, '#' for warnings, but it also marks its
 * routine start and stop lines '#' so they always show: those are notices here, so a normal start and
 * stop log no warning. Any other '#' line (a WARNING, a bad append-only file, a failed save) stays one.
 */
export function redisLineLevel(line: string): 'warning' | 'notice' {
  if (!/ # /.test(line)) return 'notice'
  return routineRedisLines.test(line) ? 'notice' : 'warning'
}
const routineRedisLines =
  /Redis is starting|Redis version=|Configuration loaded|Server initialized|User requested shutdown|Received SIG[A-Z]+ scheduling shutdown|Saving the final RDB snapshot|DB saved on disk|Calling fsync\(\) on the AOF file|Removing the pid file|Redis is now ready to exit/

/** Splits a child's output into lines (empty ones skipped), keeping its last 4000 characters for errors. */
function outputLines(onLine: (line: string) => void) {
  let output = ''
  let partial = ''
  return {
    push: (chunk: Buffer) => {
      const text = chunk.toString()
      output = (output + text).slice(-4000)
      partial += text
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) if (line.trim() !== '') onLine(line)
    },
    last: (characters: number) => output.slice(-characters),
  }
}

import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from './waitFor.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export type ChildEvent = {
  pid: number
  event: string
  number?: number
  kind?: string
  token?: string
  message?: string
}

export type ChildSampler = {
  process: ChildProcess
  readonly events: ChildEvent[]
  has(event: string): boolean
  waitForEvent(event: string, timeoutMs: number, predicate?: (e: ChildEvent) => boolean): Promise<ChildEvent>
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>
  stderr(): string
}

/** Runs test/fixtures/samplerProcess.ts in a child process (through tsx) and collects its event lines. */
export function startChildSampler(options: Record<string, unknown>): ChildSampler {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'test/fixtures/samplerProcess.ts'), JSON.stringify(options)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const events: ChildEvent[] = []
  let buffer = ''
  let errors = ''
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (chunk: string) => {
    buffer += chunk
    let newline = buffer.indexOf('\n')
    while (newline >= 0) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      try {
        events.push(JSON.parse(line))
      } catch {}
      newline = buffer.indexOf('\n')
    }
  })
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    errors = (errors + chunk).slice(-4000)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    process: child,
    events,
    has: (event) => events.some((e) => e.event === event),
    waitForEvent: (event, timeoutMs, predicate = () => true) =>
      waitFor(() => events.find((e) => e.event === event && predicate(e)), {
        timeoutMs,
        message: () =>
          `child ${child.pid}: event "${event}" (seen: ${events
            .map((e) => e.event)
            .slice(-15)
            .join(', ')}; stderr: ${errors.slice(-500)})`,
      }),
    exited,
    stderr: () => errors,
  }
}

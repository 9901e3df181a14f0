import { execFileSync } from 'node:child_process'
import { cpus } from 'node:os'

/**
 * CPUs for the server under test and for wrk, when they can be pinned (taskset from util-linux, two or
 * more CPUs): without pinning, the scheduler moved both across this machine's two cores and the same bare
 * server measured from 22k to 37k requests/s between rounds, more than the differences being measured.
 */
export const pinning: { server: number; client: number } | undefined = (() => {
  if (cpus().length < 2) return undefined
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return { server: 0, client: 1 }
  } catch {
    return undefined
  }
})()

/** Moves a process and every thread it has (V8's, libuv's) onto the server's CPU. */
export function pinServer(pid: number): void {
  if (pinning)
    execFileSync('taskset', ['-a', '-p', '-c', String(pinning.server), String(pid)], { stdio: 'ignore' })
}

/** How the run was pinned, for the results file. */
export const pinningNote = pinning
  ? `server on CPU ${pinning.server}, wrk on CPU ${pinning.client} (taskset)`
  : 'none'

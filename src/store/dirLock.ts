import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { DirectoryInUseError } from './errors.js'

export type DirLock = {
  /** Removes the lock file (idempotent). */
  release(): void
}

const lockName = 'feecast.lock'

/** Whether a process with this pid runs (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes `dir` for this process: a lock file holding its pid, created exclusively. A lock left by a
 * process that no longer runs (a crash, SIGKILL, a container restart that reused our pid) is taken over;
 * one held by a live process throws DirectoryInUseError, so two services never share a data directory.
 */
export function lockDirectory(dir: string, what: string): DirLock {
  const path = join(dir, lockName)
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number
    try {
      fd = openSync(path, 'wx')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let holder = Number.NaN
      try {
        holder = Number.parseInt(readFileSync(path, 'utf8'), 10)
      } catch {}
      if (holder !== process.pid && processAlive(holder)) throw new DirectoryInUseError(dir, what, holder)
      rmSync(path, { force: true })
      continue
    }
    writeSync(fd, `${process.pid}\n`)
    closeSync(fd)
    let released = false
    return {
      release() {
        if (released) return
        released = true
        try {
          if (Number.parseInt(readFileSync(path, 'utf8'), 10) === process.pid) rmSync(path, { force: true })
        } catch {}
      },
    }
  }
  throw new DirectoryInUseError(dir, what, Number.NaN)
}

import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/**
 * mkdir -p, one level at a time. (Node 20's `mkdirSync(path, { recursive: true })` never returns for a
 * path where creating fails with ENOENT though the parent exists, such as one under /proc.)
 */
export function makeDirectory(path: string): void {
  const missing: string[] = []
  let at = resolve(path)
  for (;;) {
    try {
      mkdirSync(at)
      break
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') break
      const parent = dirname(at)
      if (code !== 'ENOENT' || parent === at || missing.includes(parent)) throw error
      missing.push(at)
      at = parent
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
}

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../shared/data/', import.meta.url))
const warned = new Set<string>()

/**
 * The path of a file or folder of the project's shared data (`../shared/data/...`), or null when it is
 * missing, in which case it says so loudly on stderr: a test that needs it is skipped, and a skipped test
 * must never pass for a run that checked something.
 */
export function sharedData(relative: string): string | null {
  const path = `${root}${relative}`
  if (existsSync(path)) return path
  if (!warned.has(relative)) {
    warned.add(relative)
    process.stderr.write(
      `\n*** MISSING SHARED DATA: ${path} is not there; the tests that need it are SKIPPED, not passed. ***\n\n`,
    )
  }
  return null
}

import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The built command line, as an operator runs it (npm test builds dist/ first).
const root = fileURLToPath(new URL('..', import.meta.url))
const run = (args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [join(root, 'bin/feecast.mjs'), ...args], (error, stdout, stderr) =>
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    )
  })

describe('feecast (the command line)', () => {
  it('says its version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    const r = await run(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(version)
  })

  it('exits 2 on a usage error, as on a bad setting (1 is a command answering no)', async () => {
    const r = await run(['forget-chain', '--chainid', '1337'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--chain-id/)
  })
})

import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPublicClient, http } from 'viem'
import { describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
const bin = resolve(root, 'bin/feecast.mjs')

/** Runs `feecast devchain ...` and resolves with its first stdout line. */
function startCommand(args: string[]): Promise<{ child: ChildProcess; line: string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, 'devchain', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr!.on('data', (d) => {
    err += d
  })
  return new Promise((resolvePromise, reject) => {
    let out = ''
    const timer = setTimeout(
      () => reject(new Error(`no line from the devchain command; stderr: ${err}`)),
      30_000,
    )
    child.stdout!.on('data', (d) => {
      out += d
      const newline = out.indexOf('\n')
      if (newline >= 0) {
        clearTimeout(timer)
        resolvePromise({ child, line: out.slice(0, newline), stderr: () => err })
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the devchain command exited (${code}) before printing; stderr: ${err}`))
    })
  })
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((r) => {
    if (child.exitCode !== null) r(child.exitCode)
    else child.on('exit', (code) => r(code))
  })

describe('feecast devchain', () => {
  it('prints its URL and chain id, serves, and exits 0 on SIGTERM', async () => {
    const { child, line } = await startCommand(['--port', '0', '--history', '20', '--chain-id', '31337'])
    try {
      expect(line).toMatch(
        /^feecast devchain listening on http:\/\/127\.0\.0\.1:\d+ and ws:\/\/127\.0\.0\.1:\d+ \(chain id 31337, simulating \(seed 1\)\)$/,
      )
      const url = line.match(/(http:\/\/\S+)/)![1]!
      const client = createPublicClient({ transport: http(url, { retryCount: 0 }) })
      expect(await client.getChainId()).toBe(31337)
      expect(await client.getBlockNumber()).toBeGreaterThanOrEqual(19n)
      child.kill('SIGTERM')
      expect(await exitCode(child)).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('replays a file, and exits 0 on SIGINT', async () => {
    const file = resolve(root, 'test/fixtures/replay-partial.csv')
    const { child, line } = await startCommand(['--port', '0', '--replay', file, '--history', 'all'])
    try {
      expect(line).toContain(`replaying ${file}`)
      child.kill('SIGINT')
      expect(await exitCode(child)).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('refuses a bad option or a bad file with a message and exit code 2', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((r) => {
        const child = spawn(process.execPath, [bin, 'devchain', ...args], {
          cwd: root,
          stdio: ['ignore', 'ignore', 'pipe'],
        })
        let stderr = ''
        child.stderr!.on('data', (d) => {
          stderr += d
        })
        child.on('exit', (code) => r({ code, stderr }))
      })
    const [port, file] = await Promise.all([
      run(['--port', 'eighty']),
      run(['--port', '0', '--replay', resolve(root, 'test/fixtures/replay-bad-cell.csv')]),
    ])
    expect(port.code).toBe(2)
    expect(port.stderr).toContain('--port "eighty" is not an integer from 0 to 65535')
    expect(file.code).toBe(2)
    expect(file.stderr).toContain('replay-bad-cell.csv:4:')
  })
})

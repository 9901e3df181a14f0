import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Helpers of the SLO tests: the real tools (Debian packages prometheus, prometheus-alertmanager,
 * docker-compose), found on the PATH. A missing tool fails the test with the package to install:
 * scripts/test.sh (`npm test`) installs them.
 */

export const toolPackages = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  'docker-compose': 'docker-compose',
} as const

export type Tool = keyof typeof toolPackages

/** The tool's path, or an error naming the Debian package that provides it. */
export async function requireTool(tool: Tool): Promise<string> {
  const found = await new Promise<string | undefined>((resolve) => {
    execFile('sh', ['-c', `command -v ${tool}`], (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    )
  })
  if (!found)
    throw new Error(
      `${tool} is not installed: install the Debian package "${toolPackages[tool]}" (apt-get install ${toolPackages[tool]}), or run npm test, which installs it.`,
    )
  return found
}

export type RunResult = { code: number; stdout: string; stderr: string }

/** Runs a command to completion; never throws on a non-zero exit (the test asserts on it). */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? -1, stdout, stderr })
    })
  })
}

/** A fresh temporary directory and a function that removes it. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `feecast-${prefix}-`))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      lastError = error
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  )
}

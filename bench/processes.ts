import type { ChildProcess } from 'node:child_process'

/** Waits until `url` answers `status` (30 s at most): a server the benchmark started is up. */
export async function waitForHttp(url: string, init: RequestInit = {}, status = 200): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const r = await fetch(url, init).catch(() => undefined)
    if (r?.status === status) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer ${status}`)
}

/** SIGTERM, and resolves once the process has exited. */
export const stop = (child: ChildProcess): Promise<void> =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })

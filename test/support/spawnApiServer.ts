import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export type SpawnedApiServer = {
  child: ChildProcess
  port: number
  url: string
  /** Everything the child wrote to stdout and stderr so far (its JSON logs). */
  output(): string
  /** Asks the child for process.memoryUsage() (after a GC when it runs with --expose-gc). */
  memory(): Promise<NodeJS.MemoryUsage>
  /** Resolves with the exit code once the child has exited. */
  exited: Promise<number | null>
}

const childPath = fileURLToPath(new URL('./apiServerChild.ts', import.meta.url))

/** Runs test/support/apiServerChild.ts in its own Node process (through tsx) and waits for its port. */
export async function spawnApiServer({
  env,
  chains,
  nodeArgs = [],
  openFiles,
}: {
  env: Record<string, string>
  chains?: readonly number[]
  nodeArgs?: string[]
  /** The child's open-file limit (prlimit --nofile), as a server machine's default 1024 would be. */
  openFiles?: number
}): Promise<SpawnedApiServer> {
  const nodeCommand = [
    process.execPath,
    ...nodeArgs,
    '--import',
    'tsx',
    childPath,
    ...(chains ? ['--chains', chains.join(',')] : []),
  ]
  const [command, ...args] =
    openFiles === undefined ? nodeCommand : ['prlimit', `--nofile=${openFiles}:${openFiles}`, ...nodeCommand]
  const child = spawn(command!, args, {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const { port, url } = await new Promise<{ port: number; url: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`api child did not start in 30 s:\n${output.slice(-2000)}`)),
      30_000,
    )
    child.on('message', (m: { type?: string; port?: number; url?: string }) => {
      if (m?.type === 'listening') {
        clearTimeout(timer)
        resolve({ port: m.port!, url: m.url! })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`api child exited with ${code} while starting:\n${output.slice(-2000)}`))
    })
  })
  return {
    child,
    port,
    url,
    output: () => output,
    memory: () =>
      new Promise((resolve) => {
        const onMessage = (m: { type?: string } & NodeJS.MemoryUsage) => {
          if (m?.type !== 'memory') return
          child.off('message', onMessage)
          resolve(m)
        }
        child.on('message', onMessage)
        child.send({ type: 'memory' })
      }),
    exited,
  }
}

import { lookup } from 'node:dns/promises'
import { rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { StartupError } from './errors.js'
import { makeDirectory } from './lib/makeDirectory.js'

/**
 * Checks of the settings `feecast start` cannot validate by their form alone, made before anything is
 * started so that a bad one costs nothing to undo: each failure is a StartupError naming the setting.
 */

/** `dir` exists or can be made, and a file can be written in it. */
export function checkWritableDirectory(setting: string, dir: string): void {
  const path = resolve(dir)
  try {
    makeDirectory(path)
    const probe = join(path, `.feecast-write-check-${process.pid}`)
    writeFileSync(probe, '')
    rmSync(probe, { force: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    throw new StartupError(
      setting,
      `= "${dir}" is not a directory feecast can write (${code}): point it at a writable directory`,
      { cause: error },
    )
  }
}

/** The API's address resolves to an address of this machine, and the port is free there. */
export async function checkListenAddress({
  host,
  port,
  portSetting,
  hostSetting = 'HOST',
}: {
  host: string
  port: number
  portSetting: string
  hostSetting?: string
}): Promise<void> {
  try {
    await lookup(host)
  } catch (error) {
    throw new StartupError(hostSetting, `= "${host}" cannot be resolved to an address`, { cause: error })
  }
  if (port === 0) return
  await new Promise<void>((ok, fail) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(listenError(error, { host, port, portSetting, hostSetting })),
    )
    server.listen({ host, port, exclusive: true }, () => server.close(() => ok()))
  })
}

/** A listen failure as the setting at fault, or the error itself when it is not about a setting. */
export function listenError(
  error: NodeJS.ErrnoException,
  {
    host,
    port,
    portSetting,
    hostSetting = 'HOST',
  }: { host: string; port: number; portSetting: string; hostSetting?: string },
): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(
        portSetting,
        `= ${port} is already in use on ${host}: stop what listens there, or choose another port`,
        { cause: error },
      )
    case 'EACCES':
      return new StartupError(
        portSetting,
        `= ${port} needs privileges this process lacks: use a port above 1023`,
        { cause: error },
      )
    case 'EADDRNOTAVAIL':
      return new StartupError(hostSetting, `= "${host}" is not an address of this machine`, { cause: error })
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(hostSetting, `= "${host}" cannot be resolved to an address`, { cause: error })
    default:
      return error
  }
}

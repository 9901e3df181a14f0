import { readBlobScheduleFile } from '../chains/readBlobScheduleFile.js'
import { type StartDevchainParameters, startDevchain } from '../devchain/startDevchain.js'
import { CommandOptionError, DevchainOptionError } from './errors.js'

/** Options as commander hands them over (src/cli.ts declares them): strings, or true for flags. */
export type DevchainCommandOptions = {
  port?: string
  host?: string
  replay?: string
  simulate?: boolean
  speed?: string
  blockTime?: string
  chainId?: string
  seed?: string
  history?: string
  gasLimit?: string
  blobSchedule?: string
}

function integer(option: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new DevchainOptionError(option, value, `an integer from ${min} to ${max}`)
  return n
}

function positive(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new DevchainOptionError(option, value, 'a positive number')
  return n
}

/** Turns the command's string options into startDevchain's parameters, naming the option at fault. */
export function devchainParametersFromOptions(options: DevchainCommandOptions): StartDevchainParameters {
  if (options.replay !== undefined && options.simulate)
    throw new CommandOptionError('--replay and --simulate exclude each other', {
      details: 'Simulate demand (the default) or replay a history file, not both.',
    })
  const history =
    options.history === undefined
      ? undefined
      : options.history === 'all'
        ? 'all'
        : integer('history', options.history, 0, 1_000_000)
  if (history === 'all' && options.replay === undefined)
    throw new DevchainOptionError('history', 'all', "a number when simulating ('all' is for --replay)")
  const gasLimit = integer('gas-limit', options.gasLimit, 21_000, 1_000_000_000)
  const parameters: StartDevchainParameters = {
    port: integer('port', options.port, 0, 65535) ?? 8545,
    host: options.host ?? '127.0.0.1',
    chainId: integer('chain-id', options.chainId, 1, 2 ** 32),
    seed: integer('seed', options.seed, 0, 2 ** 32 - 1),
    speed: positive('speed', options.speed),
    blockTime: positive('block-time', options.blockTime),
    history,
    replay: options.replay,
    gasLimit: gasLimit === undefined ? undefined : BigInt(gasLimit),
  }
  // Leave out what was not given, so startDevchain's defaults apply.
  for (const key of Object.keys(parameters) as (keyof StartDevchainParameters)[])
    if (parameters[key] === undefined) delete parameters[key]
  return parameters
}

/**
 * `feecast devchain`: prints one line with the URL and the chain id, serves until SIGINT or SIGTERM,
 * then closes the server and returns (the process exits 0).
 */
export async function runDevchainCommand(options: DevchainCommandOptions): Promise<void> {
  const parameters = devchainParametersFromOptions(options)
  const devchain = await startDevchain({
    ...parameters,
    ...(options.blobSchedule === undefined
      ? {}
      : { blobSchedule: await readBlobScheduleFile(options.blobSchedule) }),
    onNotice: (message) => process.stderr.write(`feecast devchain: ${message}\n`),
  })
  const what =
    devchain.mode === 'replay' ? `replaying ${options.replay}` : `simulating (seed ${parameters.seed ?? 1})`
  // Handlers go in before the line is printed: stdout to a pipe is synchronous on Linux, so a parent that
  // reads the line and signals at once would otherwise meet the default action (death by signal).
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      resolve()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
  process.stdout.write(
    `feecast devchain listening on ${devchain.url} and ${devchain.wsUrl} (chain id ${devchain.chainId}, ${what})\n`,
  )
  await stopped
  await devchain.stop()
}

import cliProgress from 'cli-progress'
import { collectHistory } from '../collect/collectHistory.js'
import { formatHistoryCsv } from '../history/historyCsv.js'
import { redactUrl } from '../lib/redact.js'
import { writeFileAtomic } from '../lib/writeFileAtomic.js'
import { CommandOptionError, CommandOutputError } from './errors.js'

/** Options as commander hands them over (src/cli.ts declares them). */
export type CollectCommandOptions = {
  rpc: string
  from: string
  to: string
  out: string
  concurrency?: string
  retries?: string
  timeout?: string
}

function integer(
  option: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw new CommandOptionError(
      `--${option} ${JSON.stringify(value)} is not an integer from ${min} to ${max}`,
      {
        details: 'Run `feecast collect --help` for the options.',
      },
    )
  return n
}

/**
 * `feecast collect`: blocks --from..--to of --rpc into the history CSV --out, with a progress bar on
 * stderr. The file appears whole or not at all (temporary file + rename); the RPC URL is only ever
 * printed redacted.
 */
export async function runCollectCommand(options: CollectCommandOptions): Promise<void> {
  const from = integer('from', options.from, 0, 0, Number.MAX_SAFE_INTEGER)
  const to = integer('to', options.to, 0, 0, Number.MAX_SAFE_INTEGER)
  if (to < from)
    throw new CommandOptionError(`--to ${to} is below --from ${from}`, {
      details: 'The range is inclusive: --from <= --to.',
    })
  const concurrency = integer('concurrency', options.concurrency, 4, 1, 64)
  const retries = integer('retries', options.retries, 3, 0, 10)
  const timeoutMs = integer('timeout', options.timeout, 10_000, 100, 600_000)
  const endpoint = redactUrl(options.rpc)

  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'collect |{bar}| {value}/{total} blocks | {missing} missing | {eta_formatted} left',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  )
  const controller = new AbortController()
  const onSignal = () => controller.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  bar.start(to - from + 1, 0, { missing: 0 })
  try {
    const { rows, missing } = await collectHistory({
      rpcUrl: options.rpc,
      from,
      to,
      concurrency,
      retries,
      timeoutMs,
      signal: controller.signal,
      onProgress: ({ done, missing }) => bar.update(done, { missing }),
    })
    bar.stop()
    try {
      await writeFileAtomic(options.out, formatHistoryCsv(rows))
    } catch (error) {
      throw new CommandOutputError(`cannot write ${options.out}`, {
        details: `${(error as NodeJS.ErrnoException).code ?? String(error)}: nothing was written (the blocks were collected; fix the path and run again).`,
      })
    }
    process.stdout.write(
      `collected ${rows.length} block(s) ${from}..${to} from ${endpoint} into ${options.out}${missing.length > 0 ? ` (${missing.length} not available, left out)` : ''}\n`,
    )
  } finally {
    bar.stop()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

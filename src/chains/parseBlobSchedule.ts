import { z } from 'zod'
import type { BlobFork, BlobSchedule } from './blobSchedule.js'
import { BlobScheduleError } from './errors.js'
import { validateBlobSchedule } from './validateBlobSchedule.js'

/** A count or fraction: a JSON number, or a decimal or 0x string (genesis files use both). */
const whole = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .max(20)
    .regex(/^(0x[0-9a-fA-F]+|[0-9]+)$/, 'not a whole number'),
])
const toBigInt = (v: z.infer<typeof whole>) => BigInt(v)
const toNumber = (v: z.infer<typeof whole>) => Number(BigInt(v))

const feecastFork = z.strictObject({
  name: z.string().min(1).max(64),
  activationTime: whole,
  target: whole,
  max: whole,
  baseFeeUpdateFraction: whole,
  /** EIP-7918; default: false. */
  reservePrice: z.boolean().optional(),
})
const feecastSchedule = z.union([
  z.array(feecastFork).max(64),
  z.looseObject({ forks: z.array(feecastFork).max(64) }),
])

const blobConfig = z.looseObject({ target: whole, max: whole, baseFeeUpdateFraction: whole })
/** EIP-7840: a genesis `config` with `blobSchedule` by fork name and `<fork>Time` activation times. */
const genesisConfig = z.looseObject({
  blobSchedule: z.record(z.string().max(64), blobConfig),
})

/**
 * Forks from EIP-7918 on carry its reserve price. In a genesis config the forks are named, so Osaka and every
 * fork after it is known; the blob-parameter-only forks (bpo1...) come after Osaka by definition.
 */
const reservePriceFork = (name: string, time: number, osakaTime: number | undefined) =>
  /^(osaka|bpo\d+|amsterdam)$/i.test(name) || (osakaTime !== undefined && time >= osakaTime)

function fromGenesis(source: string, config: Record<string, unknown>): BlobFork[] {
  const parsed = genesisConfig.parse(config)
  const timeOf = (name: string) => {
    const value = config[`${name}Time`]
    const time = whole.safeParse(value)
    if (!time.success)
      throw new BlobScheduleError(
        source,
        `blobSchedule names "${name}" but the config has no valid "${name}Time"`,
      )
    return toNumber(time.data)
  }
  const osakaTime = 'osakaTime' in config ? timeOf('osaka') : undefined
  return Object.entries(parsed.blobSchedule).map(([name, c]) => {
    const activationTime = timeOf(name)
    return {
      name,
      activationTime,
      target: toNumber(c.target),
      max: toNumber(c.max),
      baseFeeUpdateFraction: toBigInt(c.baseFeeUpdateFraction),
      reservePrice: reservePriceFork(name, activationTime, osakaTime),
    }
  })
}

/**
 * Where JSON.parse stopped, without the text its message quotes: a variable pointed at the wrong file (an env
 * file, a key file) must not have its first characters printed at start.
 */
function jsonProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : ''
  const at = /position (\d+)/.exec(message)?.[1]
  if (at !== undefined) return `at character ${at}`
  return /end of JSON input/.test(message) ? 'it ends too soon' : 'unexpected text'
}

export type ParseBlobScheduleParameters = {
  /** The file's text. */
  text: string
  /** Named in errors (the file path). */
  source?: string
}

export type ParseBlobScheduleErrorType = BlobScheduleError

/**
 * A blob schedule from JSON, in one of two shapes:
 * - feecast's: `{ "forks": [{ "name", "activationTime", "target", "max", "baseFeeUpdateFraction", "reservePrice" }] }`
 *   (or the bare array);
 * - a genesis file or its `config` (EIP-7840): `blobSchedule` by fork name beside `cancunTime`, `pragueTime`...
 *   EIP-7918's reserve price is taken to apply from Osaka on.
 */
export function parseBlobSchedule({
  text,
  source = 'blob schedule',
}: ParseBlobScheduleParameters): BlobSchedule {
  if (text.length > 1_000_000) throw new BlobScheduleError(source, 'larger than 1 MB: not a blob schedule')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new BlobScheduleError(source, `not valid JSON (${jsonProblem(error)})`)
  }
  let forks: BlobFork[]
  const own = feecastSchedule.safeParse(json)
  if (own.success) {
    const list = Array.isArray(own.data) ? own.data : own.data.forks
    forks = list.map((f) => ({
      name: f.name,
      activationTime: toNumber(f.activationTime),
      target: toNumber(f.target),
      max: toNumber(f.max),
      baseFeeUpdateFraction: toBigInt(f.baseFeeUpdateFraction),
      reservePrice: f.reservePrice ?? false,
    }))
  } else {
    const config =
      json && typeof json === 'object' && 'config' in json && typeof json.config === 'object' && json.config
        ? (json.config as Record<string, unknown>)
        : (json as Record<string, unknown> | null)
    if (!config || typeof config !== 'object' || !('blobSchedule' in config)) {
      const issue = own.error.issues[0]
      throw new BlobScheduleError(
        source,
        `neither a feecast schedule ({ "forks": [...] }) nor a genesis config with "blobSchedule"${issue ? `: ${issue.path.join('.') || 'value'} ${issue.message}` : ''}`,
      )
    }
    try {
      forks = fromGenesis(source, config)
    } catch (error) {
      if (error instanceof z.ZodError) {
        const issue = error.issues[0]
        throw new BlobScheduleError(
          source,
          `blobSchedule: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`,
        )
      }
      throw error
    }
  }
  return validateBlobSchedule(source, forks)
}

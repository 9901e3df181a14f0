import { z } from 'zod'
import type { BlobFork, BlobSchedule } from './blobSchedule.js'
import { BlobScheduleError } from './errors.js'
import { validateBlobSchedule } from './validateBlobSchedule.js'

const quantityOrNumber = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .max(20)
    .regex(/^(0x[0-9a-fA-F]+|[0-9]+)$/),
])

const forkConfig = z.looseObject({
  activationTime: quantityOrNumber,
  blobSchedule: z
    .looseObject({ baseFeeUpdateFraction: quantityOrNumber, max: quantityOrNumber, target: quantityOrNumber })
    .nullable()
    .optional(),
  chainId: z
    .string()
    .max(20)
    .regex(/^0x[0-9a-fA-F]+$/),
  forkId: z
    .string()
    .max(20)
    .regex(/^0x[0-9a-fA-F]+$/),
  precompiles: z.record(z.string().max(64), z.string().max(64)).optional(),
})

const ethConfig = z.looseObject({
  current: forkConfig,
  next: forkConfig.nullable().optional(),
  last: forkConfig.nullable().optional(),
})

export type BlobScheduleFromEthConfigParameters = {
  /** The `result` of an `eth_config` call (EIP-7910), untrusted. */
  result: unknown
  /** The chain the endpoint is configured for: an answer for another chain is refused. */
  chainId: number
  /**
   * From when EIP-7918's reserve price applies (unix seconds), when the caller knows (a built-in schedule).
   * Otherwise a fork carries it when its precompiles include P256VERIFY (EIP-7951), which arrived with it in
   * Osaka: eth_config names no forks.
   */
  reservePriceFrom?: number
  /** Named in errors. */
  source?: string
}

export type BlobScheduleFromEthConfigErrorType = BlobScheduleError

/**
 * The blob forks an `eth_config` answer describes (its current, next and last forks that have blobs), checked
 * like any hostile input: shapes, bounds, the chain id. Fetching it is the sampler's job; this is pure.
 */
export function blobScheduleFromEthConfig({
  result,
  chainId,
  reservePriceFrom,
  source = 'eth_config',
}: BlobScheduleFromEthConfigParameters): BlobSchedule {
  const parsed = ethConfig.safeParse(result)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new BlobScheduleError(
      source,
      `malformed answer: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`,
    )
  }
  const forks: BlobFork[] = []
  for (const [slot, config] of Object.entries({
    current: parsed.data.current,
    next: parsed.data.next,
    last: parsed.data.last,
  })) {
    if (!config) continue
    if (BigInt(config.chainId) !== BigInt(chainId))
      throw new BlobScheduleError(source, `"${slot}" is for chain ${BigInt(config.chainId)}, not ${chainId}`)
    if (!config.blobSchedule) continue
    const activationTime = Number(BigInt(config.activationTime))
    if (forks.some((f) => f.activationTime === activationTime)) continue // `last` may repeat `next`
    const precompiles = Object.keys(config.precompiles ?? {}).map((name) => name.toUpperCase())
    forks.push({
      name: `${slot}-${config.forkId}`,
      activationTime,
      target: Number(BigInt(config.blobSchedule.target)),
      max: Number(BigInt(config.blobSchedule.max)),
      baseFeeUpdateFraction: BigInt(config.blobSchedule.baseFeeUpdateFraction),
      reservePrice:
        reservePriceFrom !== undefined
          ? activationTime >= reservePriceFrom
          : precompiles.includes('P256VERIFY') || precompiles.includes('P256_VERIFY'),
    })
  }
  return validateBlobSchedule(source, forks)
}

/**
 * Where a node's schedule disagrees with the one given (built in, or configured: an endpoint may be
 * misconfigured or hostile): for each of the node's forks, the given fork in force at its activation time must have the same
 * parameters and activate at the same time. Empty when they agree.
 */
export function blobScheduleMismatches(
  given: BlobSchedule,
  fromNode: BlobSchedule,
  /** How the given schedule is named in the problems. */
  label = 'the built-in schedule',
): string[] {
  const problems: string[] = []
  for (const fork of fromNode) {
    const known = given.find((f) => f.activationTime === fork.activationTime)
    if (!known) {
      problems.push(`the node has a blob fork at ${fork.activationTime} that ${label} does not`)
      continue
    }
    for (const key of ['target', 'max', 'baseFeeUpdateFraction', 'reservePrice'] as const)
      if (known[key] !== fork[key])
        problems.push(`${known.name}: the node says ${key} ${fork[key]}, ${label} ${known[key]}`)
  }
  return problems
}

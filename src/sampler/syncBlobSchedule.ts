import type { BlobSchedule } from '../chains/blobSchedule.js'
import { blobScheduleFromEthConfig, blobScheduleMismatches } from '../chains/blobScheduleFromEthConfig.js'
import { builtInBlobSchedule } from '../chains/blobSchedules.js'
import { isUnsupportedMethod } from '../rpc/createRpcTransport.js'
import { rpcUnavailableCause } from '../rpc/errors.js'
import { writeBlobScheduleOfNode } from '../store/blobScheduleOfNode.js'
import type { SamplerContext } from './samplerContext.js'

/** A node without EIP-7910 said so: no problem (the schedule is built in, configured, or none). */
function unsupported(error: unknown): boolean {
  const unavailable = rpcUnavailableCause(error)
  return (
    unavailable !== undefined &&
    unavailable.failures.length > 0 &&
    unavailable.failures.every(isUnsupportedMethod)
  )
}

/** No endpoint could be reached (network, timeout, open circuit): not an answer about eth_config at all. */
export function unreachable(error: unknown): boolean {
  const failures = rpcUnavailableCause(error)?.failures
  return failures?.every((f) => ['network', 'timeout', 'open-circuit'].includes(f.kind)) === true
}

/**
 * The blob-schedule step, at every sync (sampler start and after each reconnection): asks the node's
 * eth_config (EIP-7910) for its blob forks and checks the answer as hostile input (shape and bounds by
 * blobScheduleFromEthConfig, the chain id, the schedule given to it: configured or built in). A chain with a
 * given schedule keeps it whatever the node says; a mismatch or a refused answer is logged and stored as a problem,
 * which drops the chain's trust. An unknown chain's blob fields are checked against the node's schedule from
 * then on. Never fails the sync: a node without eth_config, or one that errs, leaves things as they were.
 */
export async function syncBlobSchedule(context: SamplerContext): Promise<void> {
  const { chainId, logger } = context
  const given = context.gate.givenBlobSchedule()
  // What the node is compared with, in the doubts clients and operators read.
  const givenLabel =
    given === builtInBlobSchedule(chainId)
      ? 'the built-in schedule'
      : `the configured schedule (BLOB_SCHEDULE_${chainId})`
  let result: unknown
  try {
    result = await context.client.request({ method: 'eth_config' } as never)
  } catch (error) {
    // The error's message may quote the endpoint URL (an API key): only that it failed is logged.
    if (unsupported(error)) logger.debug('the node has no eth_config')
    // No endpoint answered: the sync's next call fails too, and that failure is what gets reported (a line
    // here as well was one more warning a second while a node is down).
    else if (unreachable(error)) logger.debug('eth_config unanswered: blob schedule unchanged')
    else logger.warn('eth_config failed: blob schedule unchanged')
    return
  }
  const problems: string[] = []
  let fromNode: BlobSchedule | null = null
  try {
    fromNode = blobScheduleFromEthConfig({
      result,
      chainId,
      ...(given ? { reservePriceFrom: reservePriceStart(given) } : {}),
    })
  } catch (error) {
    problems.push(`eth_config refused: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (fromNode && given) problems.push(...blobScheduleMismatches(given, fromNode, givenLabel))
  for (const problem of problems)
    logger.warn({ problem }, "the node's blob schedule is doubtful: trust lowered")
  context.gate.adoptNodeBlobSchedule(fromNode)
  await context.store(
    'writeBlobScheduleOfNode',
    writeBlobScheduleOfNode(context.redis, {
      chainId,
      value: { updatedAt: Date.now(), schedule: fromNode, problems },
    }),
  )
}

/** When EIP-7918's reserve price starts in a schedule (after its last fork: never). */
function reservePriceStart(schedule: BlobSchedule): number {
  return schedule.find((f) => f.reservePrice)?.activationTime ?? Number.MAX_SAFE_INTEGER
}

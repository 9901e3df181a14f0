import type { Logger } from '../lib/logger.js'
import { writeChainHealth } from '../store/chainHealth.js'
import type { StoreClient } from '../store/scripts.js'
import type { BlockGate } from './blockGate.js'
import type { SamplerEvent } from './samplerEvents.js'

export type CreateHealthPublisherParameters = {
  chainId: number
  redis: StoreClient
  gate: BlockGate
  logger: Logger
  /** A Redis call, bounded in time. */
  store: <T>(what: string, promise: Promise<T>) => Promise<T>
  emit: (event: SamplerEvent) => void
}

/**
 * What the gate refuses or doubts, published for the predictor and the API: writes the gate's health
 * to Redis when it changed (in order, best effort: health is advisory) and reports the chain leaving
 * or returning to its known base-fee rule. Returns the function to call after anything the gate saw.
 */
export function createHealthPublisher({
  chainId,
  redis,
  gate,
  logger,
  store,
  emit,
}: CreateHealthPublisherParameters): () => void {
  let publishedVersion = 0
  let publishedRuleMatching = true
  let writes: Promise<void> = Promise.resolve()

  const reportRule = (problem: string | null) => {
    const matching = problem === null
    if (matching === publishedRuleMatching) return
    publishedRuleMatching = matching
    if (matching) logger.info("the chain's base fees follow its known rule again")
    else
      logger.warn(
        { problem },
        "the chain's base fees no longer follow its known rule: following it with low trust",
      )
    emit({ type: 'base-fee-rule', matching, problem })
  }

  return () => {
    if (gate.version === publishedVersion) return
    publishedVersion = gate.version
    const health = gate.health()
    reportRule(health.ruleMismatch?.problem ?? null)
    writes = writes
      .then(() => store('writeChainHealth', writeChainHealth(redis, { chainId, health })))
      .catch((error) => logger.debug({ err: error }, 'could not publish the chain health'))
  }
}

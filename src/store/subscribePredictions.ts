import { isCluster } from './connect.js'
import { legacyPredictionChannel, predictionChannelPattern, storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

export type SubscribePredictionsParameters = {
  /** The chains to follow at first (more can be added). */
  chainIds: readonly number[]
  /** Each announced prediction, as the JSON text published (the listener checks it against the contract). */
  onPrediction: (json: string) => void
  /** Also follow the one channel of the layout before issue 14 (predictors of that version, during an upgrade). */
  legacyLayout?: boolean
}

export type PredictionSubscription = {
  /** Follows these chains too (those already followed are skipped). */
  add(chainIds: readonly number[]): Promise<void>
  unsubscribe(): Promise<void>
}

/**
 * Listens to the chains' new predictions, one channel per chain under its hash tag. On a Cluster: sharded
 * (SSUBSCRIBE on the node of each chain's slot; sharded pub/sub has no patterns, so a chain that appears
 * later is followed once `add` names it). Otherwise: one PSUBSCRIBE to every chain's channel, so a new
 * chain is heard from its first prediction. `subscriber` must be a connection of its own (a subscribed
 * connection can issue no other command; on a Cluster, one made with `subscriber: true`); ioredis
 * subscribes it again after a reconnection or a failover. The listener is attached at once; resolves
 * once subscribed.
 */
export async function subscribePredictions(
  subscriber: StoreClient,
  { chainIds, onPrediction, legacyLayout = false }: SubscribePredictionsParameters,
): Promise<PredictionSubscription> {
  const sharded = isCluster(subscriber)
  const channels = new Set<string>()
  const plain = new Set<string>()
  if (legacyLayout && !sharded) plain.add(legacyPredictionChannel)
  const listener = (channel: string, message: string) => {
    if (channels.has(channel) || plain.has(channel)) onPrediction(message)
  }
  const patternListener = (pattern: string, _channel: string, message: string) => {
    if (pattern === predictionChannelPattern) onPrediction(message)
  }
  subscriber.on(sharded ? 'smessage' : 'message', listener)
  if (!sharded) {
    subscriber.on('pmessage', patternListener)
    await subscriber.psubscribe(predictionChannelPattern)
  }
  if (plain.size > 0) await subscriber.subscribe(...plain)

  const add = async (ids: readonly number[]) => {
    if (!sharded) return // the pattern covers every chain
    const fresh = ids.map((id) => storeKeys(id).predictionChannel).filter((c) => !channels.has(c))
    if (fresh.length === 0) return
    for (const channel of fresh) channels.add(channel)
    // Sharded channels of different slots go to different nodes: one SSUBSCRIBE each.
    await Promise.all(fresh.map((channel) => subscriber.ssubscribe(channel)))
  }
  await add(chainIds)
  return {
    add,
    async unsubscribe() {
      subscriber.off(sharded ? 'smessage' : 'message', listener)
      if (!sharded) {
        subscriber.off('pmessage', patternListener)
        await subscriber.punsubscribe(predictionChannelPattern)
      }
      const all = [...channels]
      channels.clear()
      if (sharded) await Promise.all(all.map((channel) => subscriber.sunsubscribe(channel)))
      if (plain.size > 0) await subscriber.unsubscribe(...plain)
    },
  }
}

import { isCluster } from './connect.js'
import { legacyPredictionChannel, storeKeys } from './keys.js'
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
 * Listens to the chains' new predictions, one channel per chain under its hash tag: sharded (SSUBSCRIBE,
 * on the node of the chain's slot) on a Cluster, plain SUBSCRIBE otherwise. `subscriber` must be a
 * connection of its own (a subscribed connection can issue no other command; on a Cluster, one made with
 * `subscriber: true`); ioredis subscribes it again after a reconnection or a failover. The listener is
 * attached at once; resolves once subscribed.
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
  subscriber.on(sharded ? 'smessage' : 'message', listener)
  if (plain.size > 0) await subscriber.subscribe(...plain)

  const add = async (ids: readonly number[]) => {
    const fresh = ids.map((id) => storeKeys(id).predictionChannel).filter((c) => !channels.has(c))
    if (fresh.length === 0) return
    for (const channel of fresh) channels.add(channel)
    // Sharded channels of different slots go to different nodes: one SSUBSCRIBE each.
    if (sharded) await Promise.all(fresh.map((channel) => subscriber.ssubscribe(channel)))
    else await subscriber.subscribe(...fresh)
  }
  await add(chainIds)
  return {
    add,
    async unsubscribe() {
      subscriber.off(sharded ? 'smessage' : 'message', listener)
      const all = [...channels]
      channels.clear()
      if (sharded) await Promise.all(all.map((channel) => subscriber.sunsubscribe(channel)))
      else if (all.length > 0) await subscriber.unsubscribe(...all)
      if (plain.size > 0) await subscriber.unsubscribe(...plain)
    },
  }
}

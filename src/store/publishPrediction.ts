import { isCluster } from './connect.js'
import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

export type PublishPredictionParameters = { chainId: number; json: string }

/**
 * Announces a stored prediction on the chain's channel: SPUBLISH on a Cluster (sharded pub/sub: only the
 * node of the chain's slot carries it, instead of every node of the cluster bus), PUBLISH otherwise.
 */
export async function publishPrediction(
  redis: StoreClient,
  { chainId, json }: PublishPredictionParameters,
): Promise<void> {
  const channel = storeKeys(chainId).predictionChannel
  if (isCluster(redis)) await redis.spublish(channel, json)
  else await redis.publish(channel, json)
}

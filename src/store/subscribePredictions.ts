import type { Redis } from 'ioredis'
import { predictionChannel } from './keys.js'

export type SubscribePredictionsParameters = {
  /** Each announced prediction, as the JSON text published (the listener checks it against the contract). */
  onPrediction: (json: string) => void
}

/**
 * Listens to every chain's new predictions. `subscriber` must be a connection of its own (a subscribed
 * Redis connection can issue no other command); ioredis subscribes it again after a reconnection. The
 * listener is attached at once; resolves once subscribed, with the function that unsubscribes.
 */
export async function subscribePredictions(
  subscriber: Redis,
  { onPrediction }: SubscribePredictionsParameters,
): Promise<() => Promise<void>> {
  const listener = (channel: string, message: string) => {
    if (channel === predictionChannel) onPrediction(message)
  }
  subscriber.on('message', listener)
  await subscriber.subscribe(predictionChannel)
  return async () => {
    subscriber.off('message', listener)
    await subscriber.unsubscribe(predictionChannel)
  }
}

import type { Redis } from 'ioredis'
import { storeKeys } from './keys.js'

/** What the chain's channel carries after every write: the head, and the lowest block number the write changed. */
export type BlockAnnouncement = { chainId: number; number: number; from: number }

export type SubscribeBlocksParameters = {
  chainId: number
  onAnnouncement: (announcement: BlockAnnouncement) => void
}

/**
 * Listens to a chain's announcements. `subscriber` must be a connection of its own (a subscribed Redis
 * connection can issue no other command). Resolves once subscribed; returns the function that unsubscribes.
 */
export async function subscribeBlocks(
  subscriber: Redis,
  { chainId, onAnnouncement }: SubscribeBlocksParameters,
): Promise<() => Promise<void>> {
  const channel = storeKeys(chainId).channel
  const listener = (from: string, message: string) => {
    if (from !== channel) return
    let announcement: BlockAnnouncement
    try {
      announcement = JSON.parse(message) as BlockAnnouncement
    } catch {
      return // a malformed message is skipped, not thrown into ioredis's event loop
    }
    onAnnouncement(announcement)
  }
  subscriber.on('message', listener)
  await subscriber.subscribe(channel)
  return async () => {
    subscriber.off('message', listener)
    await subscriber.unsubscribe(channel)
  }
}

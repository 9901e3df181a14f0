import type { StoreClient } from './scripts.js'
import { withStoreTimeout } from './withStoreTimeout.js'

export type CloseConnectionParameters = {
  /** How long QUIT may take before the connection is cut (ms). */
  timeoutMs: number
}

/**
 * Closes a connection: QUIT when Redis is there (replies to commands already sent still arrive), cut
 * at once when it is not or does not answer in time, so a shutdown never waits for a Redis that is gone.
 */
export async function closeConnection(
  connection: StoreClient,
  { timeoutMs }: CloseConnectionParameters,
): Promise<void> {
  if (connection.status === 'ready') {
    await withStoreTimeout('QUIT', connection.quit(), timeoutMs).catch(() => {})
  }
  connection.disconnect()
}

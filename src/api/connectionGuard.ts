import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'

export type ShedReason = 'per-client' | 'total'

export type ConnectionGuardParameters = {
  /** Open connections allowed in all (every one is a file descriptor). */
  maxConnections: number
  /** Open connections allowed from one client address. */
  maxPerClient: number
  /** Addresses the per-client cap does not apply to (trusted proxies carry many clients). */
  isExempt?: (address: string) => boolean
  /** A connection was refused (closed as soon as it was accepted). */
  onShed?: (reason: ShedReason, address: string) => void
}

export type ConnectionGuard = {
  /**
   * Counts a new connection, or refuses it (false) when its address or the whole server is at its cap;
   * the caller then destroys it at once, so it holds its descriptor for no longer than that.
   */
  admit(socket: Socket): boolean
  /** Open connections now, in all. */
  readonly open: number
}

/** `::ffff:1.2.3.4` and `1.2.3.4` are one client. */
export const clientOf = (address: string | undefined): string =>
  address === undefined ? 'unknown' : address.startsWith('::ffff:') ? address.slice(7) : address

/**
 * Bounds the connections the API holds, per client address and in all, so that one client opening
 * connections it never uses (an idle-socket flood) exhausts its own share, not the process's file
 * descriptors. Sheds at accept time: a refused connection is closed before it is read.
 */
export function createConnectionGuard({
  maxConnections,
  maxPerClient,
  isExempt = () => false,
  onShed,
}: ConnectionGuardParameters): ConnectionGuard {
  const perClient = new Map<string, number>()
  let open = 0
  return {
    admit(socket) {
      const client = clientOf(socket.remoteAddress)
      if (open >= maxConnections) {
        onShed?.('total', client)
        return false
      }
      const mine = perClient.get(client) ?? 0
      if (mine >= maxPerClient && !isExempt(client)) {
        onShed?.('per-client', client)
        return false
      }
      open++
      perClient.set(client, mine + 1)
      socket.once('close', () => {
        open--
        const left = (perClient.get(client) ?? 1) - 1
        if (left <= 0) perClient.delete(client)
        else perClient.set(client, left)
      })
      return true
    },
    get open() {
      return open
    },
  }
}

/** Descriptors kept for everything but client connections (Redis, the devchain, files, the event loop). */
const reservedDescriptors = 128

/**
 * The total cap when none is configured: the process's open-file limit (Linux /proc/self/limits) less a
 * reserve, so connections can never take the descriptors the rest of the service needs.
 */
export function defaultMaxConnections(limitsText?: string): number {
  let text = limitsText
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8')
    } catch {
      return 1_024 - reservedDescriptors
    }
  }
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(text)?.[1]
  const limit = soft === undefined ? 1_024 : soft === 'unlimited' ? 65_536 : Number(soft)
  return Math.max(16, Math.min(limit, 65_536) - reservedDescriptors)
}

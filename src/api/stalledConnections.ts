import type { Server } from 'node:http'
import type { Socket } from 'node:net'

export type WatchStalledConnectionsParameters = {
  /** A connection whose answer has not moved for this long (ms) is closed. */
  idleTimeoutMs: number
  /** How often connections are looked at (ms); a stalled one goes within this much past its limit. */
  checkEveryMs?: number
  /** Told of each connection closed (metrics, logs). */
  onStalled?: ((socket: Socket) => void) | undefined
}

export type WatchStalledConnectionsReturnType = {
  /** Connections watched now. */
  readonly watched: number
  /** Stops watching (the server's close does it too). */
  stop(): void
}

/** Where a connection's traffic stood when it was last seen waiting on its client. */
type Mark = { read: number; flushed: number; since: number }

/**
 * Bytes the kernel has yet to take from libuv's write queue. Node updates it as a slow reader drains a
 * big answer piece by piece, while the stream's own counters move only when a whole write completes
 * (which left Node's server.timeout cutting slow but steady readers of large answers). It lives on the
 * socket's libuv handle, which Node does not document: absent, the stream's counters are used.
 */
type HandleQueue = { _handle?: { writeQueueSize?: unknown } | null }
const queuedForKernel = (socket: Socket): number | undefined => {
  const size = (socket as unknown as HandleQueue)._handle?.writeQueueSize
  return typeof size === 'number' ? size : undefined
}

/**
 * Closes connections on which an answer waits to be sent while nothing moves: a client that asked and
 * stopped reading holds a descriptor and the answer's memory for as long as it likes otherwise.
 *
 * Node's own `server.timeout` does this with a timer per connection that is re-armed at every request
 * and refreshed at every read and write: on a kept-alive connection that answers 30k requests a second,
 * a measurable share of the API's CPU spent on the rare client that stalls. Here one sweep a second
 * looks at each connection's counters instead. Idle kept-alive connections (no answer pending) are
 * Node's keepAliveTimeout's business, a slow request head its headersTimeout's.
 */
export function watchStalledConnections(
  server: Server,
  { idleTimeoutMs, checkEveryMs = 1_000, onStalled }: WatchStalledConnectionsParameters,
): WatchStalledConnectionsReturnType {
  const sockets = new Set<Socket>()
  const marks = new Map<Socket, Mark>()
  const onConnection = (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
      marks.delete(socket)
    })
  }
  let lastSweepAt = Date.now()
  const sweep = () => {
    const now = Date.now()
    // A sweep that comes late (this process was busy or paused) saw nothing move because nothing here
    // ran, not because the client stopped: every connection's wait starts again.
    const late = now - lastSweepAt > 2 * checkEveryMs
    lastSweepAt = now
    if (late) marks.clear()
    for (const socket of sockets) {
      if (!isStalled(socket, marks, now, idleTimeoutMs)) continue
      marks.delete(socket)
      onStalled?.(socket)
      socket.destroy()
    }
  }
  server.on('connection', onConnection)
  const timer = setInterval(sweep, checkEveryMs).unref()
  const stop = () => {
    clearInterval(timer)
    server.off('connection', onConnection)
  }
  server.once('close', stop)
  return {
    get watched() {
      return sockets.size
    },
    stop,
  }
}

/**
 * Whether `socket` has had output pending, with nothing read from its client and nothing of that output
 * flushed, for `idleTimeoutMs`. Updates the socket's mark.
 */
function isStalled(socket: Socket, marks: Map<Socket, Mark>, now: number, idleTimeoutMs: number): boolean {
  const pending = socket.writableLength
  if (pending === 0 || socket.destroyed) {
    marks.delete(socket)
    return false
  }
  // bytesWritten counts what was handed to the socket; less what still waits, what went out.
  const read = socket.bytesRead
  const flushed = socket.bytesWritten - (queuedForKernel(socket) ?? pending)
  const mark = marks.get(socket)
  if (mark === undefined || mark.read !== read || mark.flushed !== flushed) {
    marks.set(socket, { read, flushed, since: now })
    return false
  }
  return now - mark.since >= idleTimeoutMs
}

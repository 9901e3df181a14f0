import { createServer, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { watchStalledConnections } from './stalledConnections.js'

// Real node:http on a real socket. The answer is bigger than the loopback socket buffers, so a client
// that stops reading leaves it pending on the server.
const bigAnswer = Buffer.alloc(64 * 1024 * 1024, 'x')

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  server = undefined
})

async function serve(idleTimeoutMs: number): Promise<{ port: number; stalled: Socket[] }> {
  const stalled: Socket[] = []
  server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.url === '/big') res.end(bigAnswer)
    else res.end('small')
  })
  watchStalledConnections(server, { idleTimeoutMs, checkEveryMs: 50, onStalled: (s) => stalled.push(s) })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { port: typeof address === 'object' && address ? address.port : 0, stalled }
}

function request(port: number, path: string): Socket {
  const socket = connect(port, '127.0.0.1')
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
  return socket
}

const until = (done: () => boolean) =>
  new Promise<void>((resolve) => {
    const check = () => (done() ? resolve() : setTimeout(check, 20))
    check()
  })

/** Waits until the reader has the whole big answer or its connection is cut; then it must have it, uncut. */
async function readsToTheEnd(
  client: Socket,
  reader: { readonly received: number; stop(): void },
  stalled: readonly unknown[],
): Promise<void> {
  await until(() => reader.received > bigAnswer.length || client.destroyed)
  reader.stop()
  expect(stalled).toHaveLength(0)
  expect(reader.received).toBeGreaterThan(bigAnswer.length)
  client.destroy()
}

/**
 * A slow reader: up to `chunksPerTick` reads every 2 ms, so a big answer takes many idle timeouts to arrive
 * while the server's one write of it completes only at the end.
 */
function readSlowly(client: Socket, chunksPerTick: number): { readonly received: number; stop(): void } {
  client.pause()
  let received = 0
  const timer = setInterval(() => {
    for (let i = 0; i < chunksPerTick; i++) {
      const chunk = client.read() as Buffer | null
      if (chunk === null) break
      received += chunk.length
    }
  }, 2)
  return {
    get received() {
      return received
    },
    stop: () => clearInterval(timer),
  }
}

const closed = (socket: Socket) =>
  new Promise<void>((resolve) => {
    socket.once('close', () => resolve())
    socket.on('error', () => {})
  })

describe('watchStalledConnections', () => {
  it('closes a connection whose client stopped reading its answer', async () => {
    const { port, stalled } = await serve(200)
    const client = request(port, '/big')
    client.pause() // reads nothing: the answer fills the socket buffers and stops
    await until(() => stalled.length > 0)
    expect(stalled).toHaveLength(1)
    // Reading again, the client finds its connection cut before the answer's end.
    let received = 0
    client.on('data', (chunk: Buffer) => {
      received += chunk.length
    })
    const gone = closed(client)
    client.resume()
    await gone
    expect(received).toBeLessThan(bigAnswer.length)
  })

  it('leaves a client that reads its big answer slowly but steadily alone', async () => {
    const { port, stalled } = await serve(500)
    const client = request(port, '/big')
    const reader = readSlowly(client, 8)
    const started = Date.now()
    await readsToTheEnd(client, reader, stalled)
    console.log(`read ${reader.received} bytes in ${Date.now() - started} ms with a 500 ms idle timeout`)
  })

  it('does not cut a reader because this process itself was paused past the limit', async () => {
    // The server sees a reader's progress only as the kernel takes more of the answer, which on a loaded
    // machine can come in steps far apart for a reader of one chunk a tick: 200 ms cut such a reader after
    // the pause in 3 of 5 runs under load. 1 s leaves that room; the pause is still well past it.
    const { port, stalled } = await serve(1_000)
    const client = request(port, '/big')
    const reader = readSlowly(client, 1)
    await until(() => reader.received > 1024 * 1024)
    // A long synchronous stretch (a GC pause, a blocked event loop): nothing moves because nothing runs.
    const pausedUntil = Date.now() + 1_600
    while (Date.now() < pausedUntil) {}
    await readsToTheEnd(client, reader, stalled)
  })

  it('leaves an idle kept-alive connection with nothing pending alone (keepAliveTimeout owns those)', async () => {
    const { port, stalled } = await serve(100)
    const client = request(port, '/small')
    let answered = ''
    client.on('data', (chunk: Buffer) => {
      answered += chunk.toString()
    })
    // The answer first (on a loaded machine it may take longer than the sweeps below), then idle.
    await until(() => answered.includes('small'))
    await new Promise((resolve) => setTimeout(resolve, 600)) // several sweeps, each past idleTimeoutMs
    expect(answered).toContain('small')
    expect(client.destroyed).toBe(false)
    expect(stalled).toHaveLength(0)
    client.destroy()
  })
})

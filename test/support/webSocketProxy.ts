import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'

/**
 * A TEST DOUBLE: a WebSocket proxy between the sampler and a real node, which misbehaves on demand as
 * real endpoints do. Everything it forwards comes from the node; only the faults are made here.
 * - pass: frames go both ways untouched
 * - silent: the sockets stay open and nothing goes through, either way (a stalled endpoint)
 * - closeAll(): the server closes every socket (an endpoint restart, a load balancer's idle cut)
 * - sendGarbage(): a frame that is not JSON to every client
 * - heads 'reorder': each newHeads notification is held back and sent after the next one
 * - heads 'skip': every other newHeads notification is dropped
 */
export type WebSocketProxy = {
  /** With a fake API key in its path, as real RPC URLs have: it must never show up in logs or errors. */
  url: string
  secret: string
  setMode(mode: 'pass' | 'silent'): void
  setHeads(mode: 'pass' | 'reorder' | 'skip'): void
  closeAll(): void
  sendGarbage(): void
  /** Open client sockets. */
  readonly clients: number
  /** newHeads notifications forwarded, held back and dropped. */
  readonly notifications: { forwarded: number; reordered: number; dropped: number }
  stop(): Promise<void>
}

export async function startWebSocketProxy(target: string): Promise<WebSocketProxy> {
  const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
  let mode: 'pass' | 'silent' = 'pass'
  let heads: 'pass' | 'reorder' | 'skip' = 'pass'
  const notifications = { forwarded: 0, reordered: 0, dropped: 0 }
  const pairs = new Set<{ client: WebSocket; upstream: WebSocket; held: string | null; skip: boolean }>()
  const server: Server = createServer((_req, res) => {
    res.writeHead(426)
    res.end()
  })
  const wss = new WebSocketServer({ server })
  wss.on('connection', (client) => {
    const upstream = new WebSocket(target)
    const pair = { client, upstream, held: null as string | null, skip: false }
    pairs.add(pair)
    const queued: string[] = []
    upstream.on('open', () => {
      for (const q of queued.splice(0)) upstream.send(q)
    })
    client.on('message', (data) => {
      if (mode === 'silent') return
      if (upstream.readyState === WebSocket.OPEN) upstream.send(String(data))
      else queued.push(String(data))
    })
    upstream.on('message', (data) => {
      if (mode === 'silent' || client.readyState !== WebSocket.OPEN) return
      const text = String(data)
      if (!text.includes('"eth_subscription"') || heads === 'pass') {
        if (text.includes('"eth_subscription"')) notifications.forwarded++
        return client.send(text)
      }
      if (heads === 'skip') {
        pair.skip = !pair.skip
        if (pair.skip) {
          notifications.dropped++
          return
        }
        notifications.forwarded++
        return client.send(text)
      }
      // reorder: this one is sent first, then the one held before it.
      const held = pair.held
      pair.held = text
      if (held === null) return
      pair.held = null
      notifications.reordered++
      notifications.forwarded += 2
      client.send(text)
      client.send(held)
    })
    const end = () => {
      pairs.delete(pair)
      client.terminate()
      upstream.terminate()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}/v3/${secret}`,
    secret,
    setMode: (m) => {
      mode = m
    },
    setHeads: (h) => {
      heads = h
    },
    closeAll() {
      for (const { client } of pairs) client.close(1001, 'going away')
    },
    sendGarbage() {
      for (const { client } of pairs) client.send('<html>502 Bad Gateway</html>')
    },
    get clients() {
      return pairs.size
    },
    notifications,
    async stop() {
      for (const { client, upstream } of pairs) {
        client.terminate()
        upstream.terminate()
      }
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

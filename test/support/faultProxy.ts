import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/**
 * - pass: forward to the node
 * - down: the port refuses connections (the endpoint died)
 * - hang: accept and never answer
 * - garbage: 200 with a body that is not JSON
 * - http-error: 503
 * - rpc-error: a JSON-RPC error object (-32603)
 * - inconsistent: forward, then corrupt the result so it contradicts the request (another block's number, a
 *   transaction of another block, fee history of the wrong length)
 * - hold: forward only once release() is called
 */
export type FaultMode =
  | 'pass'
  | 'down'
  | 'hang'
  | 'garbage'
  | 'http-error'
  | 'rpc-error'
  | 'inconsistent'
  | 'hold'

export type FaultProxy = {
  /** With a fake API key in its path, as real RPC URLs have: it must never show up in logs or errors. */
  url: string
  /** the key in url's path */
  secret: string
  readonly mode: FaultMode
  /**
   * Switch mode. `methods` limits the fault to those JSON-RPC methods (others pass); `fullBlocksOnly` limits
   * it further to eth_getBlockByNumber calls that ask for full transactions.
   */
  setMode(mode: FaultMode, options?: { methods?: string[]; fullBlocksOnly?: boolean }): Promise<void>
  /** Requests received, by method. */
  readonly requests: Record<string, number>
  /** Requests currently held (mode hold) and the block numbers they asked for. */
  readonly held: { method: string; params: unknown[] }[]
  release(): void
  stop(): Promise<void>
}

type Held = { method: string; params: unknown[]; go: () => void }

/** A small HTTP JSON-RPC proxy in front of a node, whose faults a test switches at run time. */
export async function startFaultProxy({
  target,
  port = 0,
}: {
  target: string
  port?: number
}): Promise<FaultProxy> {
  let mode: FaultMode = 'pass'
  let onlyMethods: Set<string> | undefined
  let fullBlocksOnly = false
  const requests: Record<string, number> = {}
  let held: Held[] = []
  const sockets = new Set<Socket>()
  const hung = new Set<Socket>()
  const secret = `k3y${Math.random().toString(36).slice(2, 10)}`

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (chunk) => {
        body += chunk
      })
      req.on('end', () => resolve(body))
      req.on('error', reject)
    })

  const forward = async (body: string) => {
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    return { status: response.status, text: await response.text() }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req)
    let call: { id?: unknown; method?: string; params?: unknown[] } = {}
    try {
      call = JSON.parse(body)
    } catch {}
    const method = call.method ?? '?'
    const params = Array.isArray(call.params) ? call.params : []
    requests[method] = (requests[method] ?? 0) + 1
    const targeted =
      (!onlyMethods || onlyMethods.has(method)) &&
      (!fullBlocksOnly || (method === 'eth_getBlockByNumber' && params[1] === true))
    const fault = targeted ? mode : 'pass'
    const reply = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(text)
    }
    switch (fault) {
      case 'hang':
        // Never answered; its socket is destroyed when the mode changes or the proxy stops.
        if (req.socket) hung.add(req.socket)
        return
      case 'garbage':
        return reply(200, '<html><body>502 Bad Gateway</body></html> {"jsonrpc":')
      case 'http-error':
        return reply(503, 'Service Unavailable')
      case 'rpc-error':
        return reply(
          200,
          JSON.stringify({ jsonrpc: '2.0', id: call.id, error: { code: -32603, message: 'internal error' } }),
        )
      case 'hold':
        await new Promise<void>((go) => held.push({ method, params, go }))
        break
      default:
        break
    }
    const upstream = await forward(body)
    if (fault === 'inconsistent') return reply(200, corrupt(upstream.text, method))
    reply(upstream.status, upstream.text)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
  })
  server.keepAliveTimeout = 1_000
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const listen = (p: number) => new Promise<void>((resolve) => server.listen(p, '127.0.0.1', () => resolve()))
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
    })
  await listen(port)
  const address = server.address()
  const boundPort = typeof address === 'object' && address ? address.port : port
  let listening = true

  const release = () => {
    const waiting = held
    held = []
    for (const h of waiting) h.go()
  }

  return {
    url: `http://127.0.0.1:${boundPort}/v3/${secret}`,
    secret,
    get mode() {
      return mode
    },
    async setMode(next, options = {}) {
      const previous = mode
      mode = next
      onlyMethods = options.methods ? new Set(options.methods) : undefined
      fullBlocksOnly = options.fullBlocksOnly ?? false
      if (previous === 'hold' && next !== 'hold') release()
      if (next === 'down' && listening) {
        listening = false
        await close()
      } else if (next !== 'down' && !listening) {
        await listen(boundPort)
        listening = true
      } else if (previous === 'hang' && next !== 'hang') {
        // Drop the connections that were left hanging (only those: the others are healthy keep-alive ones).
        for (const socket of hung) socket.destroy()
        hung.clear()
      }
    },
    get requests() {
      return requests
    },
    get held() {
      return held.map(({ method, params }) => ({ method, params }))
    },
    release,
    async stop() {
      release()
      if (listening) await close()
      listening = false
    },
  }
}

/** A response that is well-formed JSON-RPC but contradicts its request. */
function corrupt(text: string, method: string): string {
  const body = JSON.parse(text) as { result?: Record<string, unknown> | null }
  const result = body.result
  if (result && typeof result === 'object') {
    if (method === 'eth_getBlockByNumber' || method === 'eth_getBlockByHash') {
      const txs = result.transactions as unknown[]
      const first = txs?.[0]
      if (first && typeof first === 'object')
        (first as Record<string, unknown>).blockHash = `0x${'ee'.repeat(32)}`
      else result.number = `0x${(BigInt(result.number as string) + 1n).toString(16)}`
    } else if (method === 'eth_feeHistory') {
      ;(result.baseFeePerGas as unknown[]).pop()
      ;(result.baseFeePerGas as unknown[]).pop()
    }
  }
  return JSON.stringify(body)
}

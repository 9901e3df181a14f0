import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type RpcCall = { id: unknown; method: string; params: unknown[] }

/**
 * What the server does with one call:
 * - { result }: a well-formed JSON-RPC answer
 * - { status, body }: any status and raw body (a string, or a value sent as JSON)
 * - { write(res) }: the test writes the answer itself (endless or huge bodies, stalls)
 * - 'forward': the upstream's answer, unchanged
 */
export type RpcAnswer =
  | { result: unknown }
  | { status: number; body: unknown }
  | { write: (res: ServerResponse, call: RpcCall) => void }
  | 'forward'

export type HostileRpc = {
  /** With a fake API key in its path and query, as real RPC URLs have. */
  url: string
  /** The keys in url (path segment, query value). */
  secrets: [string, string]
  /** Requests received, by method. */
  readonly calls: Record<string, number>
  /** Forwards a call to the upstream and returns its parsed answer. */
  forward(call: RpcCall): Promise<{ status: number; json: unknown }>
  stop(): Promise<void>
}

/**
 * A JSON-RPC server a test scripts call by call, optionally in front of a real node (`upstream`): the
 * hostile or broken endpoint feecast must survive. Sockets are destroyed on stop.
 */
export async function startHostileRpc({
  upstream,
  answer,
}: {
  upstream?: string
  answer: (call: RpcCall) => RpcAnswer | Promise<RpcAnswer>
}): Promise<HostileRpc> {
  const pathKey = `pk${Math.random().toString(36).slice(2, 12)}Z9`
  const queryKey = `qk${Math.random().toString(36).slice(2, 12)}Q7`
  const calls: Record<string, number> = {}
  const sockets = new Set<Socket>()

  const forward = async (call: RpcCall) => {
    if (!upstream) throw new Error('no upstream to forward to')
    const response = await fetch(upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', ...call }),
    })
    return { status: response.status, json: await response.json() }
  }

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => resolve(body))
      req.on('error', reject)
    })

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req)
    let call: RpcCall = { id: null, method: '?', params: [] }
    try {
      const parsed = JSON.parse(raw) as Partial<RpcCall>
      call = {
        id: parsed.id ?? null,
        method: String(parsed.method),
        params: Array.isArray(parsed.params) ? parsed.params : [],
      }
    } catch {}
    calls[call.method] = (calls[call.method] ?? 0) + 1
    const a = await answer(call)
    const send = (status: number, body: unknown) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    if (a === 'forward') {
      const { status, json } = await forward(call)
      return send(status, json)
    }
    if ('write' in a) return a.write(res, call)
    if ('result' in a) return send(200, { jsonrpc: '2.0', id: call.id, result: a.result })
    return send(a.status, a.body)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v3/${pathKey}?apikey=${queryKey}`,
    secrets: [pathKey, queryKey] as [string, string],
    calls,
    forward,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}

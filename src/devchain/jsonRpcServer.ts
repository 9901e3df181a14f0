import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { handleJsonRpc, type RpcMethods, rpcErrorCodes } from './jsonRpc.js'
import { attachWebSocketRpc } from './webSocketRpc.js'

export type StartJsonRpcServerParameters = {
  methods: RpcMethods
  host?: string
  /** 0: any free port. */
  port?: number
  /** Largest request body accepted, bytes. */
  maxBodyBytes?: number
}

export type JsonRpcServer = {
  url: string
  /** The same port over WebSocket (every method, and eth_subscribe newHeads). */
  wsUrl: string
  /** Sends a new head to the WebSocket clients subscribed to newHeads. */
  publishHead(header: Record<string, unknown>): void
  host: string
  port: number
  close(): Promise<void>
}

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
}

/**
 * JSON-RPC 2.0 over HTTP POST on node:http (browsers may call it: CORS is open, as on dev nodes), and over
 * WebSocket on the same port (attachWebSocketRpc).
 */
export async function startJsonRpcServer({
  methods,
  host = '127.0.0.1',
  port = 0,
  maxBodyBytes = 5 * 1024 * 1024,
}: StartJsonRpcServerParameters): Promise<JsonRpcServer> {
  const server = createServer((req, res) => serveRequest(req, res, methods, maxBodyBytes))
  // Clients keep connections alive; a server being stopped should not wait for them.
  server.keepAliveTimeout = 5_000
  const webSocket = attachWebSocketRpc({ server, methods, maxPayloadBytes: maxBodyBytes })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  // A wildcard bind is reachable on loopback; a URL must name an address a client can dial.
  const dialable =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address
  const urlHost = dialable.includes(':') ? `[${dialable}]` : dialable
  return {
    url: `http://${urlHost}:${address.port}`,
    wsUrl: `ws://${urlHost}:${address.port}`,
    publishHead: (header) => webSocket.publishHead(header),
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        webSocket.close()
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

/** One HTTP request: preflight, a POSTed body of bounded size handed to handleJsonRpc, or 405. */
function serveRequest(
  req: IncomingMessage,
  res: ServerResponse,
  methods: RpcMethods,
  maxBodyBytes: number,
): void {
  if (req.method === 'OPTIONS') {
    reply(res, 204)
    return
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST, OPTIONS')
    reply(res, 405, errorBody(rpcErrorCodes.invalidRequest, 'JSON-RPC is served over POST'))
    return
  }
  const chunks: Buffer[] = []
  let size = 0
  let tooLarge = false
  req.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size > maxBodyBytes) {
      tooLarge = true
      return
    }
    chunks.push(chunk)
  })
  req.on('end', () => {
    if (tooLarge)
      return reply(
        res,
        413,
        errorBody(rpcErrorCodes.invalidRequest, `request body over ${maxBodyBytes} bytes`),
      )
    handleJsonRpc({ body: Buffer.concat(chunks).toString('utf8'), methods }).then(
      (body) => (body === null ? reply(res, 204) : reply(res, 200, body)),
      (error: unknown) => reply(res, 500, errorBody(rpcErrorCodes.internalError, String(error))),
    )
  })
  req.on('error', () => res.destroy())
}

function reply(res: ServerResponse, status: number, body?: string): void {
  res.writeHead(status, {
    ...corsHeaders,
    ...(body === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
  })
  res.end(body)
}

const errorBody = (code: number, message: string) =>
  JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } })

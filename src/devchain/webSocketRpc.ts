import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import { type WebSocket, WebSocketServer } from 'ws'
import { handleJsonRpc, type RpcMethods, rpcErrorCodes } from './jsonRpc.js'

export type AttachWebSocketRpcParameters = {
  server: Server
  methods: RpcMethods
  /** Largest frame accepted from a client, bytes (ws closes the socket with 1009 past it). */
  maxPayloadBytes: number
  /** Subscriptions one socket may hold (geth has no limit; a dev node needs few). */
  maxSubscriptionsPerSocket?: number
}

export type WebSocketRpc = {
  /** Sends a new head to every newHeads subscription. */
  publishHead(header: Record<string, unknown>): void
  /** Open sockets (tests). */
  readonly clients: number
  close(): void
}

type Client = { socket: WebSocket; subscriptions: Set<string> }

/**
 * JSON-RPC over WebSocket on the HTTP server's port (an Upgrade request), as geth and hardhat serve it:
 * every method of the HTTP side, plus eth_subscribe / eth_unsubscribe for "newHeads", whose notifications
 * carry the new block's header. Other subscription kinds are refused with "method not supported".
 */
export function attachWebSocketRpc({
  server,
  methods,
  maxPayloadBytes,
  maxSubscriptionsPerSocket = 16,
}: AttachWebSocketRpcParameters): WebSocketRpc {
  const wss = new WebSocketServer({ server, maxPayload: maxPayloadBytes })
  const clients = new Set<Client>()
  wss.on('connection', (socket) => {
    const client: Client = { socket, subscriptions: new Set() }
    clients.add(client)
    socket.on('close', () => clients.delete(client))
    socket.on('error', () => socket.terminate())
    socket.on('message', (data, isBinary) => {
      if (isBinary)
        return send(socket, errorBody(rpcErrorCodes.invalidRequest, 'binary frames are not JSON-RPC'))
      answer(client, String(data), methods, maxSubscriptionsPerSocket).then(
        (body) => body !== null && send(socket, body),
        (error: unknown) => send(socket, errorBody(rpcErrorCodes.internalError, String(error))),
      )
    })
  })
  return {
    publishHead(header) {
      for (const client of clients)
        for (const subscription of client.subscriptions)
          send(
            client.socket,
            JSON.stringify({
              jsonrpc: '2.0',
              method: 'eth_subscription',
              params: { subscription, result: header },
            }),
          )
    },
    get clients() {
      return clients.size
    },
    close() {
      for (const client of clients) client.socket.terminate()
      clients.clear()
      wss.close()
    },
  }
}

/** One message: a subscription call answered here, anything else (batches too) by handleJsonRpc. */
async function answer(
  client: Client,
  text: string,
  methods: RpcMethods,
  maxSubscriptions: number,
): Promise<string | null> {
  const call = parseCall(text)
  if (call?.method === 'eth_subscribe') {
    if (call.params?.[0] !== 'newHeads')
      return reply(call.id, undefined, { code: -32601, message: 'only newHeads subscriptions are supported' })
    if (client.subscriptions.size >= maxSubscriptions)
      return reply(call.id, undefined, { code: rpcErrorCodes.serverError, message: 'too many subscriptions' })
    const id = `0x${randomBytes(16).toString('hex')}`
    client.subscriptions.add(id)
    return reply(call.id, id)
  }
  if (call?.method === 'eth_unsubscribe')
    return reply(call.id, client.subscriptions.delete(String(call.params?.[0])))
  return handleJsonRpc({ body: text, methods })
}

type Call = { id: string | number | null; method: string; params?: unknown[] }

/** A single (non-batch) call's id, method and positional params; null for anything else. */
function parseCall(text: string): Call | null {
  try {
    const value = JSON.parse(text) as Record<string, unknown>
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
    if (value.jsonrpc !== '2.0' || typeof value.method !== 'string') return null
    const id = typeof value.id === 'string' || typeof value.id === 'number' ? value.id : null
    return { id, method: value.method, ...(Array.isArray(value.params) ? { params: value.params } : {}) }
  } catch {
    return null
  }
}

const reply = (id: Call['id'], result: unknown, error?: { code: number; message: string }) =>
  JSON.stringify(error ? { jsonrpc: '2.0', id, error } : { jsonrpc: '2.0', id, result })

const errorBody = (code: number, message: string) =>
  JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } })

function send(socket: WebSocket, body: string): void {
  if (socket.readyState === socket.OPEN) socket.send(body)
}

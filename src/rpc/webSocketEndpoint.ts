import { type GetSocketParameters, getSocketRpcClient, type SocketRpcClient } from 'viem/utils'
import WebSocket from 'ws'
import { noRedaction, type Redactor } from '../lib/redact.js'
import { RpcEndpointError } from './errors.js'
import { quoteProviderText } from './quoteProviderText.js'

export type CreateWebSocketEndpointParameters = {
  /** ws:// or wss:// (may hold an API key: used to dial, never shown). */
  url: string
  /** The endpoint's label (host#index), the only name errors, logs and viem's own errors see. */
  label: string
  /** Largest message accepted from the endpoint, bytes: past it the socket is closed (1009). */
  maxMessageBytes: number
  /** Longest wait for the connection to open (TCP, TLS and the upgrade). */
  connectTimeoutMs: number
  /** Hides the endpoint's secrets in text quoted from its answers. */
  redact?: Redactor
}

/** A newHeads notification's header, as far as it is read here (checked by the caller). */
export type HeadNotification = { number: unknown; hash: unknown; parentHash?: unknown }

export type HeadSubscriptionHandlers = {
  onHead(header: HeadNotification): void
  /** The subscription ended: the socket closed, failed, sent garbage or an oversized message. Called once. */
  onEnd(reason: string): void
}

export type WebSocketEndpoint = {
  readonly url: string
  readonly label: string
  /** One JSON-RPC call over the socket (dialled when closed). Throws RpcEndpointError; answers are raw results. */
  request(method: string, params: unknown, timeoutMs: number): Promise<unknown>
  /**
   * eth_subscribe("newHeads") over the socket (dialled when closed). Resolves once the node accepted it, with
   * the function that ends it; throws RpcEndpointError (kind 'rpc' with the node's code when it refused).
   */
  subscribeNewHeads(handlers: HeadSubscriptionHandlers, timeoutMs: number): Promise<() => void>
  /** Closes the socket (a stalled one); the next call dials again. */
  drop(reason: string): void
  close(): void
}

type Client = SocketRpcClient<object>

type Fail = (
  method: string,
  kind: RpcEndpointError['kind'],
  problem: string,
  code?: number,
) => RpcEndpointError

/** One dialled socket: its viem client, and who hears when it ends. */
type Connection = {
  client: Promise<Client>
  endListeners: Set<(reason: string) => void>
  ended: boolean
}

let connections = 0

/**
 * One ws:// or wss:// endpoint: a socket shared by its calls and its head subscription, on viem's socket
 * RPC client (request ids, subscription routing) over a `ws` socket of ours. viem's webSocket() transport
 * dials `new WebSocket(url)` with no options: no bound on a message (ws's 100 MiB default) nor on the
 * handshake, and its reconnection gives up after 5 tries leaving a dead client cached. Here the message
 * size is RPC_MAX_RESPONSE_BYTES, the handshake has a timeout, viem's reconnection is off and the socket is
 * dialled again on the next call (the sampler's head subscription reconnects with its own back-off).
 */
export function createWebSocketEndpoint({
  url,
  label,
  maxMessageBytes,
  connectTimeoutMs,
  redact = noRedaction,
}: CreateWebSocketEndpointParameters): WebSocketEndpoint {
  let current: Connection | null = null
  const fail: Fail = (method, kind, problem, code) =>
    new RpcEndpointError({ endpoint: label, method, kind, problem: quoteProviderText(problem, redact), code })

  const connect = (method: string): Connection => {
    if (current && !current.ended) return current
    const connection: Connection = { endListeners: new Set(), ended: false } as unknown as Connection
    connection.client = getSocketRpcClient<object>({
      // viem keys its cache and names its errors by this "url": the label, so neither holds the secret.
      url: label,
      key: `feecast-${++connections}`,
      keepAlive: false,
      reconnect: false,
      getSocket: (handlers) =>
        openSocket({
          url,
          maxMessageBytes,
          connectTimeoutMs,
          handlers,
          onEnd: (r) => endConnection(connection, r),
        }),
    }).catch((error: unknown) => {
      endConnection(connection, 'connect failed')
      throw fail(method, 'network', `connection failed: ${describe(error)}`)
    })
    current = connection
    return connection
  }

  return {
    url,
    label,
    request: (method, params, timeoutMs) => requestOn(connect(method), { method, params, timeoutMs, fail }),
    subscribeNewHeads: (handlers, timeoutMs) =>
      subscribeOn(connect('eth_subscribe'), handlers, timeoutMs, fail),
    drop(reason) {
      const connection = current
      if (!connection) return
      current = null
      endConnection(connection, reason)
      void connection.client.then((c) => c.close()).catch(() => {})
    },
    close() {
      this.drop('closed')
    },
  }
}

/** The connection's socket ended: every listener hears it once. */
function endConnection(connection: Connection, reason: string): void {
  if (connection.ended) return
  connection.ended = true
  const listeners = [...connection.endListeners]
  connection.endListeners.clear()
  for (const listener of listeners) listener(reason)
}

/** One call on the connection; a call that times out ends the socket (the next call dials a fresh one). */
async function requestOn(
  connection: Connection,
  { method, params, timeoutMs, fail }: { method: string; params: unknown; timeoutMs: number; fail: Fail },
): Promise<unknown> {
  const client = await connection.client
  let response: { result?: unknown; error?: { code?: unknown; message?: unknown } }
  try {
    response = (await client.requestAsync({
      body: { method, params: params as unknown[] },
      timeout: timeoutMs,
    })) as typeof response
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError'
    if (timedOut) {
      endConnection(connection, 'a call timed out')
      client.close()
    }
    throw timedOut
      ? fail(method, 'timeout', `no response within ${timeoutMs} ms`)
      : fail(method, kindOf(error), `socket failed: ${describe(error)}${becauseOf(error)}`)
  }
  return resultOf(method, response, fail)
}

/** eth_subscribe("newHeads") on the connection; resolves with the function that ends the subscription. */
async function subscribeOn(
  connection: Connection,
  handlers: HeadSubscriptionHandlers,
  timeoutMs: number,
  fail: Fail,
): Promise<() => void> {
  const client = await connection.client
  const id = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      endConnection(connection, 'eth_subscribe timed out')
      client.close()
      reject(fail('eth_subscribe', 'timeout', `no response within ${timeoutMs} ms`))
    }, timeoutMs)
    client.request({
      body: { method: 'eth_subscribe', params: ['newHeads'] },
      onError: (error) => {
        clearTimeout(timer)
        reject(fail('eth_subscribe', 'network', `socket failed: ${describe(error)}`))
      },
      onResponse: (message: { id?: unknown; params?: unknown }) => {
        if (message.id === undefined || message.id === null) {
          const result = (message.params as { result?: unknown } | undefined)?.result
          if (typeof result === 'object' && result !== null) handlers.onHead(result as HeadNotification)
          return
        }
        clearTimeout(timer)
        try {
          const result = resultOf('eth_subscribe', message as never, fail)
          if (typeof result !== 'string' || result.length > 256)
            throw fail('eth_subscribe', 'invalid', 'the subscription id is not a string')
          resolve(result)
        } catch (error) {
          reject(error)
        }
      },
    })
  })
  let active = true
  const onEnd = (reason: string) => {
    if (!active) return
    active = false
    handlers.onEnd(reason)
  }
  if (connection.ended) onEnd('the socket closed')
  else connection.endListeners.add(onEnd)
  return () => {
    if (!active) return
    active = false
    connection.endListeners.delete(onEnd)
    client.subscriptions.delete(id)
    if (!connection.ended)
      client.request({ body: { method: 'eth_unsubscribe', params: [id] }, onResponse: () => {} })
  }
}

/** The result of a JSON-RPC answer, or the RpcEndpointError it is. */
function resultOf(
  method: string,
  response: { result?: unknown; error?: { code?: unknown; message?: unknown } },
  fail: Fail,
): unknown {
  if (typeof response !== 'object' || response === null)
    throw fail(method, 'garbage', 'not a JSON-RPC response')
  if (response.error !== undefined) {
    const code = typeof response.error?.code === 'number' ? response.error.code : undefined
    // Uncut here: fail() redacts before it cuts (a key cut first would no longer match). Bounded far past
    // what is shown, so a huge message costs no huge redaction.
    const message = typeof response.error?.message === 'string' ? response.error.message.slice(0, 4096) : ''
    throw fail(method, 'rpc', `JSON-RPC error ${code ?? '?'}: ${message}`, code)
  }
  if (!('result' in response)) throw fail(method, 'garbage', 'neither result nor error')
  return response.result
}

/**
 * An error known by its name (what requests and subscriptions on the socket fail with), with why the socket
 * was ended in words of ours (no text of the endpoint's).
 */
const named = (name: string, reason?: string): Error => Object.assign(new Error(name), { name, reason })

/** ' (why)' for an error made by named() with a reason, else nothing. */
const becauseOf = (error: unknown): string => {
  const reason = (error as { reason?: unknown } | null | undefined)?.reason
  return typeof reason === 'string' ? ` (${reason})` : ''
}

/** How a socket failure counts for the endpoint: an oversized message as such, garbage as garbage. */
const kindOf = (error: unknown): RpcEndpointError['kind'] =>
  error instanceof Error && error.name === 'OversizedMessageError'
    ? 'oversized'
    : error instanceof Error && error.name === 'GarbageFrameError'
      ? 'garbage'
      : 'network'

/**
 * A socket failure in words that carry no secret: the system error code when there is one (ENOTFOUND,
 * ECONNREFUSED: what an operator needs to tell a typo from a firewall), else the error's class name
 * (viem's and ws's messages may quote what was sent or received).
 */
const describe = (error: unknown): string => {
  const code = (error as { code?: unknown } | null | undefined)?.code
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code
  return error instanceof Error ? error.name : typeof error === 'object' ? 'socket error' : String(error)
}

/** Dials the endpoint with `ws`, bounded, and feeds viem's socket client; any failure ends the socket. */
async function openSocket({
  url,
  maxMessageBytes,
  connectTimeoutMs,
  handlers,
  onEnd,
}: {
  url: string
  maxMessageBytes: number
  connectTimeoutMs: number
  handlers: GetSocketParameters
  onEnd: (reason: string) => void
}) {
  const socket = new WebSocket(url, { maxPayload: maxMessageBytes, handshakeTimeout: connectTimeoutMs })
  let closed = false
  const end = (reason: string, error?: Error) => {
    if (closed) return
    closed = true
    socket.removeAllListeners('message')
    if (error) handlers.onError(error)
    else handlers.onClose()
    onEnd(reason)
    socket.terminate()
  }
  socket.on('message', (data, isBinary) => {
    let parsed: unknown
    try {
      if (isBinary) throw new Error('binary frame')
      parsed = JSON.parse(String(data))
    } catch {
      // A frame that is not JSON-RPC: the endpoint is broken or hostile, and nothing it sends is trusted.
      return end('the endpoint sent a frame that is not JSON', named('GarbageFrameError'))
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return end('the endpoint sent a message that is not a JSON-RPC object', named('GarbageFrameError'))
    const message = parsed as { id?: unknown; method?: unknown; params?: unknown; error?: unknown }
    // An answer must name the call it answers: viem drops one with id null (what a node answers a call it
    // could not read, e.g. a parse error), and the call waited out its timeout before the next endpoint was
    // asked. Which call it was cannot be known: the socket is ended, failing its calls at once.
    if (message.method === undefined && (message.id === null || message.id === undefined)) {
      const reason = `the endpoint answered with id null${message.error === undefined ? '' : ' (an error)'}`
      return end(reason, named('GarbageFrameError', reason))
    }
    // viem reads params.subscription of every eth_subscription message: one without it would throw here.
    if (
      message.method === 'eth_subscription' &&
      (typeof message.params !== 'object' || message.params === null)
    )
      return end('the endpoint sent a notification without params', named('GarbageFrameError'))
    try {
      handlers.onResponse(parsed as never)
    } catch {
      end('the endpoint sent a message that could not be handled', named('GarbageFrameError'))
    }
  })
  socket.on('close', (code) =>
    end(code === 1009 ? `a message over ${maxMessageBytes} bytes` : `the socket closed (${code})`),
  )
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      socket.off('error', reject)
      socket.on('error', (error: Error & { code?: string }) =>
        error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
          ? end(`a message over ${maxMessageBytes} bytes`, named('OversizedMessageError'))
          : end(`socket error (${error.code ?? error.name})`, named('SocketError')),
      )
      handlers.onOpen()
      resolve()
    })
    socket.once('error', reject)
  })
  // Not the ws instance itself: ws calls its own close() internally, which must stay ws's.
  return {
    close: () => end('closed'),
    request({ body }: { body: unknown }) {
      if (socket.readyState !== WebSocket.OPEN) throw new Error('socket closed')
      socket.send(JSON.stringify(body))
    },
  }
}

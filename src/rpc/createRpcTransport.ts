import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  IsolatedCircuitError,
  retry,
} from 'cockatiel'
import { type CustomTransport, custom } from 'viem'
import { createRedactor, endpointLabel, type Redactor } from '../lib/redact.js'
import { inRpcClientSpan } from '../tracing/rpcClientSpan.js'
import {
  BlockTooLargeError,
  RpcEndpointError,
  type RpcFailureKind,
  RpcResponseError,
  RpcUnavailableError,
} from './errors.js'
import { defaultMaxResponseBytes, postJsonRpc } from './postJsonRpc.js'
import { validateRpcResult } from './validateRpcResult.js'
import { createWebSocketEndpoint, type WebSocketEndpoint } from './webSocketEndpoint.js'

/** One call to one endpoint: what a metrics module counts. Labels only, never URLs. */
export type RpcCallEvent = {
  chainId: number
  /** endpointLabel(url, index): host and position */
  endpoint: string
  method: string
  outcome: 'ok' | RpcFailureKind
  durationMs: number
}

/** An endpoint's circuit changed state (or it turned out to serve another chain). */
export type RpcEndpointStateEvent = {
  chainId: number
  endpoint: string
  state: 'open' | 'half-open' | 'closed' | 'wrong-chain'
  /** For 'wrong-chain': what it serves instead. */
  problem?: string
}

export type CreateRpcTransportParameters = {
  chainId: number
  /** In order of preference; a later one is used while the earlier ones fail. */
  urls: readonly string[]
  /** Per call to one endpoint. */
  timeoutMs: number
  /** Largest response body read (bytes); past it the read is cut off (default 8 MiB). */
  maxResponseBytes?: number
  /** Rounds over all endpoints after the first, with jittered exponential backoff in between. */
  retries: number
  /** Consecutive failures that open an endpoint's circuit (default 3). */
  breakerThreshold?: number
  /** How long an open circuit skips its endpoint before one probe call (default 5000 ms). */
  breakerHalfOpenAfterMs?: number
  /** First and largest delay between rounds (defaults 100 and 2000 ms); cockatiel's decorrelated jitter. */
  backoffInitialMs?: number
  backoffMaxMs?: number
  /**
   * Check eth_chainId on each endpoint before its first use, again after each connection failure (a
   * reconnection may reach another node) and at least every `chainIdCheckIntervalMs` (default true).
   */
  verifyChainId?: boolean
  /** How long a chain-id check holds (default 60000 ms); an endpoint on another chain is retried after it. */
  chainIdCheckIntervalMs?: number
  /** unix ms (tests) */
  now?: () => number
  onCall?: (event: RpcCallEvent) => void
  onEndpointState?: (event: RpcEndpointStateEvent) => void
  /**
   * The sockets of the ws:// and wss:// endpoints among `urls` (createWebSocketEndpoints), shared with the
   * sampler's head subscription; one is made for any ws URL not given here.
   */
  webSockets?: readonly WebSocketEndpoint[]
}

type Endpoint = {
  url: string
  label: string
  /** For a ws:// or wss:// endpoint: its socket, which carries its calls. */
  socket: WebSocketEndpoint | undefined
  breaker: ReturnType<typeof circuitBreaker>
  /** When its chain id was last found right (unix ms); null: check before the next call. */
  verifiedAt: number | null
  /** When it was last found serving another chain; it is skipped until the check interval has passed. */
  wrongChainAt: number | null
  /** Its last failure ('network: connection failed (ECONNREFUSED)'), named when its circuit is open. */
  lastFailure: string | undefined
}

/** Failures after which the next call may reach another node (a reconnection): the chain id is checked again. */
const reconnectingKinds = new Set(['network', 'timeout', 'http', 'open-circuit'])

/** What every call of one transport shares: its settings, hooks and redactor. */
type Transport = Required<
  Pick<
    CreateRpcTransportParameters,
    'chainId' | 'timeoutMs' | 'verifyChainId' | 'chainIdCheckIntervalMs' | 'now'
  >
> &
  Pick<CreateRpcTransportParameters, 'maxResponseBytes' | 'onCall' | 'onEndpointState'> & {
    redact: Redactor
  }

/**
 * A viem transport over several endpoints of one chain (HTTP, or WebSocket for ws:// and wss:// URLs): each call has a timeout, each endpoint a circuit
 * breaker; a call goes to the first endpoint whose circuit is closed and moves down the list on failure; when
 * every endpoint failed, the round is retried after a jittered backoff. Each result is validated before viem
 * formats it, so a garbage or inconsistent answer is that endpoint's failure, not data.
 *
 * viem's own retries are off (retryCount 0): they would multiply with these and their backoff has no jitter.
 */
export function createRpcTransport(parameters: CreateRpcTransportParameters): CustomTransport {
  const { chainId, urls, retries, backoffInitialMs = 100, backoffMaxMs = 2_000 } = parameters
  if (urls.length === 0) throw new RangeError(`chain ${chainId}: no RPC endpoint`)
  const transport: Transport = {
    chainId,
    timeoutMs: parameters.timeoutMs,
    maxResponseBytes: parameters.maxResponseBytes,
    verifyChainId: parameters.verifyChainId ?? true,
    chainIdCheckIntervalMs: parameters.chainIdCheckIntervalMs ?? 60_000,
    now: parameters.now ?? Date.now,
    onCall: parameters.onCall,
    onEndpointState: parameters.onEndpointState,
    // Every endpoint's secrets, in every endpoint's errors: a provider may quote another's key back.
    redact: createRedactor({ urls }),
  }
  const endpoints = urls.map((url, index) =>
    createEndpoint(transport, parameters, url, index, socketFor(transport, parameters, url, index)),
  )
  // A node that says it does not serve a method (eth_config on a node without EIP-7910) answered: no retry.
  // Nor when a whole block was over the size cap: another round would download as much again for the same
  // answer, and the caller has its fallback (the header).
  const rounds = retry(
    handleWhen(
      (error) =>
        !(
          error instanceof RpcUnavailableError &&
          (error.failures.every(isUnsupportedMethod) ||
            error.failures.some((f) => f instanceof BlockTooLargeError))
        ),
    ),
    {
      maxAttempts: retries,
      backoff: new ExponentialBackoff({ initialDelay: backoffInitialMs, maxDelay: backoffMaxMs }),
    },
  )
  const request = async ({ method, params }: { method: string; params?: unknown }): Promise<unknown> =>
    rounds.execute(() => callInOrder(transport, endpoints, method, params ?? []))
  return custom({ request }, { key: 'feecast', name: `feecast chain ${chainId}`, retryCount: 0 })
}

/** Whether the URL is a WebSocket endpoint (ws:// or wss://). */
export const isWebSocketUrl = (url: string): boolean => /^wss?:\/\//i.test(url)

/**
 * The sockets of the ws:// and wss:// URLs among `urls`, labelled by their position in the whole list: what
 * createRpcTransport carries their calls over and the sampler subscribes to new heads on.
 */
export function createWebSocketEndpoints({
  urls,
  timeoutMs,
  maxResponseBytes = defaultMaxResponseBytes,
}: Pick<CreateRpcTransportParameters, 'urls' | 'timeoutMs' | 'maxResponseBytes'>): WebSocketEndpoint[] {
  const redact = createRedactor({ urls })
  return urls.flatMap((url, index) =>
    isWebSocketUrl(url)
      ? [
          createWebSocketEndpoint({
            url,
            label: endpointLabel(url, index),
            maxMessageBytes: maxResponseBytes,
            connectTimeoutMs: timeoutMs,
            redact,
          }),
        ]
      : [],
  )
}

/** The socket of a ws URL: the one given, else a new one; none for an HTTP URL. */
function socketFor(
  t: Transport,
  parameters: CreateRpcTransportParameters,
  url: string,
  index: number,
): WebSocketEndpoint | undefined {
  if (!isWebSocketUrl(url)) return undefined
  return (
    parameters.webSockets?.find((s) => s.url === url) ??
    createWebSocketEndpoint({
      url,
      label: endpointLabel(url, index),
      maxMessageBytes: t.maxResponseBytes ?? defaultMaxResponseBytes,
      connectTimeoutMs: t.timeoutMs,
      redact: t.redact,
    })
  )
}

/** JSON-RPC's "method not found" (-32601) and the "method not supported" some nodes answer (-32004). */
export function isUnsupportedMethod(error: unknown): boolean {
  return (
    error instanceof RpcEndpointError &&
    error.kind === 'rpc' &&
    (error.code === -32601 || error.code === -32004)
  )
}

/** A call whose answer is as big as the block: the block with its transactions. */
const isWholeBlockCall = (method: string, params: unknown): boolean =>
  (method === 'eth_getBlockByNumber' || method === 'eth_getBlockByHash') &&
  Array.isArray(params) &&
  params[1] === true

/** An endpoint with its circuit breaker, whose state changes are reported. */
function createEndpoint(
  { chainId, onEndpointState }: Transport,
  { breakerThreshold = 3, breakerHalfOpenAfterMs = 5_000 }: CreateRpcTransportParameters,
  url: string,
  index: number,
  socket: WebSocketEndpoint | undefined,
): Endpoint {
  const label = endpointLabel(url, index)
  // "Method not found" is a healthy node's answer, not a failure of the endpoint; a block too big to read
  // whole is the block's size, not the endpoint's health (counted, it opened the circuit on a chain of big
  // blocks, and the header-only fallback then met 'open-circuit' instead of 'oversized').
  const breaker = circuitBreaker(
    handleWhen((error) => !isUnsupportedMethod(error) && !(error instanceof BlockTooLargeError)),
    {
      halfOpenAfter: breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(breakerThreshold),
    },
  )
  breaker.onStateChange((state) => {
    const named =
      state === CircuitState.Open || state === CircuitState.Isolated
        ? 'open'
        : state === CircuitState.HalfOpen
          ? 'half-open'
          : 'closed'
    onEndpointState?.({ chainId, endpoint: label, state: named })
  })
  return { url, label, socket, breaker, verifiedAt: null, wrongChainAt: null, lastFailure: undefined }
}

/** Whether the endpoint's chain id must be checked before its next call. */
const needsCheck = (t: Transport, endpoint: Endpoint) =>
  t.verifyChainId &&
  (endpoint.verifiedAt === null || t.now() - endpoint.verifiedAt > t.chainIdCheckIntervalMs)

/** Whether the endpoint was found on another chain recently enough to be left out. */
const skipped = (t: Transport, endpoint: Endpoint) =>
  endpoint.wrongChainAt !== null && t.now() - endpoint.wrongChainAt <= t.chainIdCheckIntervalMs

/** The endpoint answered eth_chainId with `reported`: right, or marked as serving another chain. */
function checkChain(t: Transport, endpoint: Endpoint, method: string, reported: number): void {
  if (reported === t.chainId) {
    endpoint.verifiedAt = t.now()
    endpoint.wrongChainAt = null
    return
  }
  const problem = `serves chain ${reported}, configured for chain ${t.chainId}`
  endpoint.verifiedAt = null
  endpoint.wrongChainAt = t.now()
  t.onEndpointState?.({ chainId: t.chainId, endpoint: endpoint.label, state: 'wrong-chain', problem })
  throw new RpcEndpointError({ endpoint: endpoint.label, method, kind: 'wrong-chain', problem })
}

/** One call to one endpoint, bypassing its breaker: posted, validated, counted (and traced inside a block's trace). */
function callOnce(t: Transport, endpoint: Endpoint, method: string, params: unknown): Promise<unknown> {
  return inRpcClientSpan({ method, endpoint: endpoint.label, url: endpoint.url }, () =>
    callOnceUntraced(t, endpoint, method, params),
  )
}

async function callOnceUntraced(
  t: Transport,
  endpoint: Endpoint,
  method: string,
  params: unknown,
): Promise<unknown> {
  const started = performance.now()
  const count = (outcome: RpcCallEvent['outcome']) =>
    t.onCall?.({
      chainId: t.chainId,
      endpoint: endpoint.label,
      method,
      outcome,
      durationMs: performance.now() - started,
    })
  try {
    const result = endpoint.socket
      ? await endpoint.socket.request(method, params, t.timeoutMs)
      : await postJsonRpc({
          url: endpoint.url,
          endpoint: endpoint.label,
          method,
          params,
          timeoutMs: t.timeoutMs,
          redact: t.redact,
          ...(t.maxResponseBytes === undefined ? {} : { maxBytes: t.maxResponseBytes }),
        })
    const problem = validateRpcResult({ method, params, result })
    if (problem) throw new RpcResponseError({ endpoint: endpoint.label, method, kind: 'invalid', problem })
    // Every chain id an endpoint reports is checked, whoever asked for it.
    if (method === 'eth_chainId' && t.verifyChainId)
      checkChain(t, endpoint, method, Number(BigInt(result as string)))
    count('ok')
    return result
  } catch (error) {
    const kind = error instanceof RpcEndpointError ? error.kind : 'network'
    if (reconnectingKinds.has(kind)) endpoint.verifiedAt = null
    count(kind)
    if (kind === 'oversized' && isWholeBlockCall(method, params))
      throw new BlockTooLargeError(error as RpcEndpointError)
    endpoint.lastFailure = error instanceof RpcEndpointError ? `${kind}: ${error.problem}` : kind
    throw error
  }
}

/** One call through the endpoint's breaker, its chain id checked first when due. */
async function callEndpoint(
  t: Transport,
  endpoint: Endpoint,
  method: string,
  params: unknown,
): Promise<unknown> {
  try {
    return await endpoint.breaker.execute(async () => {
      if (needsCheck(t, endpoint) && method !== 'eth_chainId') await callOnce(t, endpoint, 'eth_chainId', [])
      return callOnce(t, endpoint, method, params)
    })
  } catch (error) {
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
      t.onCall?.({
        chainId: t.chainId,
        endpoint: endpoint.label,
        method,
        outcome: 'open-circuit',
        durationMs: 0,
      })
      throw openCircuit(endpoint, method)
    }
    throw error
  }
}

/** An open circuit names the failure that opened it: 'circuit open' alone told an operator nothing. */
const openCircuit = (endpoint: Endpoint, method: string) =>
  new RpcEndpointError({
    endpoint: endpoint.label,
    method,
    kind: 'open-circuit',
    problem:
      endpoint.lastFailure === undefined ? 'circuit open' : `circuit open after ${endpoint.lastFailure}`,
  })

/** One round: the endpoints in order until one answers; RpcUnavailableError with every failure when none does. */
async function callInOrder(
  t: Transport,
  endpoints: readonly Endpoint[],
  method: string,
  params: unknown,
): Promise<unknown> {
  const failures: RpcEndpointError[] = []
  const open: Endpoint[] = []
  for (const endpoint of endpoints) {
    if (skipped(t, endpoint)) continue
    try {
      return await callEndpoint(t, endpoint, method, params)
    } catch (error) {
      const failure =
        error instanceof RpcEndpointError
          ? error
          : new RpcEndpointError({
              endpoint: endpoint.label,
              method,
              kind: 'network',
              problem: 'unexpected failure',
            })
      if (failure.kind === 'open-circuit') open.push(endpoint)
      failures.push(failure)
    }
  }
  // Every circuit open: the breakers order the endpoints, they do not starve the chain. Call them anyway,
  // in order, rather than fail without asking anyone (the retries would otherwise idle until half-open).
  if (open.length > 0 && open.length === failures.length) {
    failures.length = 0
    for (const endpoint of open) {
      try {
        if (needsCheck(t, endpoint)) throw openCircuit(endpoint, method)
        return await callOnce(t, endpoint, method, params)
      } catch (error) {
        if (error instanceof RpcEndpointError) failures.push(error)
      }
    }
  }
  throw new RpcUnavailableError(t.chainId, method, failures)
}

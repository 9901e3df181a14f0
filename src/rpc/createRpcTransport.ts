import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  IsolatedCircuitError,
  retry,
} from 'cockatiel'
import { type CustomTransport, custom } from 'viem'
import { createRedactor, endpointLabel } from '../lib/redact.js'
import { RpcEndpointError, type RpcFailureKind, RpcResponseError, RpcUnavailableError } from './errors.js'
import { postJsonRpc } from './postJsonRpc.js'
import { validateRpcResult } from './validateRpcResult.js'

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
}

type Endpoint = {
  url: string
  label: string
  breaker: ReturnType<typeof circuitBreaker>
  /** When its chain id was last found right (unix ms); null: check before the next call. */
  verifiedAt: number | null
  /** When it was last found serving another chain; it is skipped until the check interval has passed. */
  wrongChainAt: number | null
}

/** Failures after which the next call may reach another node (a reconnection): the chain id is checked again. */
const reconnectingKinds = new Set(['network', 'timeout', 'http', 'open-circuit'])

/**
 * A viem transport over several HTTP endpoints of one chain: each call has a timeout, each endpoint a circuit
 * breaker; a call goes to the first endpoint whose circuit is closed and moves down the list on failure; when
 * every endpoint failed, the round is retried after a jittered backoff. Each result is validated before viem
 * formats it, so a garbage or inconsistent answer is that endpoint's failure, not data.
 *
 * viem's own retries are off (retryCount 0): they would multiply with these and their backoff has no jitter.
 */
export function createRpcTransport(parameters: CreateRpcTransportParameters): CustomTransport {
  const {
    chainId,
    urls,
    timeoutMs,
    maxResponseBytes,
    retries,
    breakerThreshold = 3,
    breakerHalfOpenAfterMs = 5_000,
    backoffInitialMs = 100,
    backoffMaxMs = 2_000,
    verifyChainId = true,
    chainIdCheckIntervalMs = 60_000,
    now = Date.now,
    onCall,
    onEndpointState,
  } = parameters
  if (urls.length === 0) throw new RangeError(`chain ${chainId}: no RPC endpoint`)
  // Every endpoint's secrets, in every endpoint's errors: a provider may quote another's key back.
  const redact = createRedactor({ urls })

  const endpoints: Endpoint[] = urls.map((url, index) => {
    const label = endpointLabel(url, index)
    const breaker = circuitBreaker(handleAll, {
      halfOpenAfter: breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(breakerThreshold),
    })
    breaker.onStateChange((state) => {
      const named =
        state === CircuitState.Open || state === CircuitState.Isolated
          ? 'open'
          : state === CircuitState.HalfOpen
            ? 'half-open'
            : 'closed'
      onEndpointState?.({ chainId, endpoint: label, state: named })
    })
    return { url, label, breaker, verifiedAt: null, wrongChainAt: null }
  })
  const needsCheck = (endpoint: Endpoint) =>
    verifyChainId && (endpoint.verifiedAt === null || now() - endpoint.verifiedAt > chainIdCheckIntervalMs)
  const skipped = (endpoint: Endpoint) =>
    endpoint.wrongChainAt !== null && now() - endpoint.wrongChainAt <= chainIdCheckIntervalMs

  /** The endpoint answered eth_chainId with `reported`: right, or marked as serving another chain. */
  const checkChain = (endpoint: Endpoint, method: string, reported: number) => {
    if (reported === chainId) {
      endpoint.verifiedAt = now()
      endpoint.wrongChainAt = null
      return
    }
    const problem = `serves chain ${reported}, configured for chain ${chainId}`
    endpoint.verifiedAt = null
    endpoint.wrongChainAt = now()
    onEndpointState?.({ chainId, endpoint: endpoint.label, state: 'wrong-chain', problem })
    throw new RpcEndpointError({ endpoint: endpoint.label, method, kind: 'wrong-chain', problem })
  }

  const rounds = retry(handleAll, {
    maxAttempts: retries,
    backoff: new ExponentialBackoff({ initialDelay: backoffInitialMs, maxDelay: backoffMaxMs }),
  })

  const callOnce = async (endpoint: Endpoint, method: string, params: unknown): Promise<unknown> => {
    const started = performance.now()
    try {
      const result = await postJsonRpc({
        url: endpoint.url,
        endpoint: endpoint.label,
        method,
        params,
        timeoutMs,
        redact,
        ...(maxResponseBytes === undefined ? {} : { maxBytes: maxResponseBytes }),
      })
      const problem = validateRpcResult({ method, params, result })
      if (problem) throw new RpcResponseError({ endpoint: endpoint.label, method, kind: 'invalid', problem })
      // Every chain id an endpoint reports is checked, whoever asked for it.
      if (method === 'eth_chainId' && verifyChainId)
        checkChain(endpoint, method, Number(BigInt(result as string)))
      onCall?.({
        chainId,
        endpoint: endpoint.label,
        method,
        outcome: 'ok',
        durationMs: performance.now() - started,
      })
      return result
    } catch (error) {
      const kind = error instanceof RpcEndpointError ? error.kind : 'network'
      if (reconnectingKinds.has(kind)) endpoint.verifiedAt = null
      onCall?.({
        chainId,
        endpoint: endpoint.label,
        method,
        outcome: kind,
        durationMs: performance.now() - started,
      })
      throw error
    }
  }

  const callEndpoint = async (endpoint: Endpoint, method: string, params: unknown): Promise<unknown> => {
    try {
      return await endpoint.breaker.execute(async () => {
        if (needsCheck(endpoint) && method !== 'eth_chainId') await callOnce(endpoint, 'eth_chainId', [])
        return callOnce(endpoint, method, params)
      })
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        onCall?.({ chainId, endpoint: endpoint.label, method, outcome: 'open-circuit', durationMs: 0 })
        throw new RpcEndpointError({
          endpoint: endpoint.label,
          method,
          kind: 'open-circuit',
          problem: 'circuit open',
        })
      }
      throw error
    }
  }

  const request = async ({ method, params }: { method: string; params?: unknown }): Promise<unknown> =>
    rounds.execute(async () => {
      const failures: RpcEndpointError[] = []
      const open: Endpoint[] = []
      for (const endpoint of endpoints) {
        if (skipped(endpoint)) continue
        try {
          return await callEndpoint(endpoint, method, params ?? [])
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
            if (needsCheck(endpoint))
              throw new RpcEndpointError({
                endpoint: endpoint.label,
                method,
                kind: 'open-circuit',
                problem: 'circuit open',
              })
            return await callOnce(endpoint, method, params ?? [])
          } catch (error) {
            if (error instanceof RpcEndpointError) failures.push(error)
          }
        }
      }
      throw new RpcUnavailableError(chainId, method, failures)
    })

  return custom({ request }, { key: 'feecast', name: `feecast chain ${chainId}`, retryCount: 0 })
}

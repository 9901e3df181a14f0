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
  /** Check eth_chainId on each endpoint before its first use (default true). */
  verifyChainId?: boolean
  onCall?: (event: RpcCallEvent) => void
  onEndpointState?: (event: RpcEndpointStateEvent) => void
}

type Endpoint = {
  url: string
  label: string
  breaker: ReturnType<typeof circuitBreaker>
  chainVerified: boolean
  wrongChain: boolean
}

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
    return { url, label, breaker, chainVerified: !verifyChainId, wrongChain: false }
  })

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
        if (!endpoint.chainVerified) {
          const reported = Number(BigInt((await callOnce(endpoint, 'eth_chainId', [])) as string))
          if (reported !== chainId) {
            endpoint.wrongChain = true
            onEndpointState?.({ chainId, endpoint: endpoint.label, state: 'wrong-chain' })
            throw new RpcEndpointError({
              endpoint: endpoint.label,
              method,
              kind: 'wrong-chain',
              problem: `serves chain ${reported}, configured for chain ${chainId}`,
            })
          }
          endpoint.chainVerified = true
        }
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
        if (endpoint.wrongChain) continue
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
            if (!endpoint.chainVerified)
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

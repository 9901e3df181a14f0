import type { RpcCallEvent } from './createRpcTransport.js'

export type RpcCounter = {
  chainId: number
  endpoint: string
  calls: number
  errors: number
  /** failures by kind (timeout, rpc, invalid, open-circuit ...) */
  byOutcome: Record<string, number>
}

/**
 * Call and error counts per chain and endpoint label, fed by the transport's onCall hook: what the metrics
 * module will export (labels chain id and endpoint label; the URL is never known here).
 */
export function createRpcCounters() {
  const counters = new Map<string, RpcCounter>()
  return {
    onCall(event: RpcCallEvent): void {
      const key = `${event.chainId}\u0000${event.endpoint}`
      let counter = counters.get(key)
      if (!counter) {
        counter = { chainId: event.chainId, endpoint: event.endpoint, calls: 0, errors: 0, byOutcome: {} }
        counters.set(key, counter)
      }
      counter.calls++
      if (event.outcome !== 'ok') counter.errors++
      counter.byOutcome[event.outcome] = (counter.byOutcome[event.outcome] ?? 0) + 1
    },
    snapshot(): RpcCounter[] {
      return [...counters.values()].map((c) => ({ ...c, byOutcome: { ...c.byOutcome } }))
    },
  }
}

export type RpcCounters = ReturnType<typeof createRpcCounters>

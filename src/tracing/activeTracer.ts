import type { Tracer } from '@opentelemetry/api'

/**
 * The tracer feecast's spans go to, or null when tracing is off (the default). Set once at start
 * (startTracing); every span helper checks it first and does nothing else when it is null, so with
 * tracing off no span object is made and no context is propagated.
 */
let active: Tracer | null = null

export function activeTracer(): Tracer | null {
  return active
}

/** Sets (or, with null, clears) the tracer. startTracing and tests only. */
export function useTracer(tracer: Tracer | null): void {
  active = tracer
}

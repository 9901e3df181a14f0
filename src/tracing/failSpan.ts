import { type Span, SpanStatusCode } from '@opentelemetry/api'

/**
 * Marks a span failed with the error's class name (and its kind, for feecast's RPC errors) only: never
 * the message or the stack, which may quote an endpoint (an upstream error that repeats its URL and key).
 */
export function failSpan(span: Span, error: unknown): void {
  const type = error instanceof Error ? error.name : typeof error
  const kind =
    error !== null && typeof error === 'object' && 'kind' in error && typeof error.kind === 'string'
      ? error.kind
      : undefined
  const safeKind = kind !== undefined && /^[a-z-]{1,32}$/.test(kind) ? kind : undefined
  span.setAttribute('error.type', /^[A-Za-z0-9_]{1,64}$/.test(type) ? type : 'Error')
  span.setStatus({ code: SpanStatusCode.ERROR, message: safeKind ?? 'failed' })
}

/** Ends the span when the work settles: as it is on success, failed (failSpan) on an error, which it rethrows. */
export function endSpanWith<T>(span: Span, work: Promise<T>): Promise<T> {
  return work.then(
    (result) => {
      span.end()
      return result
    },
    (error: unknown) => {
      failSpan(span, error)
      span.end()
      throw error
    },
  )
}

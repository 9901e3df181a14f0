import { context, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api'
import { activeTracer } from './activeTracer.js'
import { endSpanWith } from './failSpan.js'

/**
 * A sampler's sync with its node (at start and after each reconnection: the blob schedule, the stored head's
 * check, the backfill or the gap since) as one trace of its own, a root span `sampler.sync`: the RPC calls made
 * inside it are its children (inRpcClientSpan), so a slow or failing backfill shows which calls it waited on.
 * The blocks it stores are not traced one by one: a backfill stores thousands. `run` gets the span to add what
 * the sync found (null when tracing is off, and then it just runs).
 */
export function inSyncTrace<T>(chainId: number, run: (span: Span | null) => Promise<T>): Promise<T> {
  const tracer = activeTracer()
  if (tracer === null) return run(null)
  const span = tracer.startSpan(
    'sampler.sync',
    { kind: SpanKind.INTERNAL, root: true, attributes: { 'feecast.chain_id': chainId } },
    ROOT_CONTEXT,
  )
  return endSpanWith(
    span,
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => run(span)),
  )
}

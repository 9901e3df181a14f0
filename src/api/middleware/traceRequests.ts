import { performance } from 'node:perf_hooks'
import {
  type Attributes,
  type Link,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import type { Observer } from '../core/pipeline.js'

/** The caller's trace headers, the only ones the W3C propagator asks for. */
type TraceHeaders = { traceparent?: string | undefined; tracestate?: string | undefined }

const headerGetter: TextMapGetter<TraceHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => (key === 'traceparent' || key === 'tracestate' ? carrier[key] : undefined),
}

/**
 * The caller's traceparent and tracestate, from Node's raw header list (names in any case; a repeated
 * header joined with ", ", as Node joins it, which makes a repeated traceparent invalid as the W3C
 * specification wants). Read here, only with tracing on, rather than by every request's header pass.
 */
export function traceHeadersOf(rawHeaders: readonly string[]): TraceHeaders {
  const found: TraceHeaders = {}
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase()
    if (name !== 'traceparent' && name !== 'tracestate') continue
    const value = rawHeaders[i + 1] as string
    const seen = found[name]
    found[name] = seen === undefined ? value : `${seen}, ${value}`
  }
  return found
}

export type TraceRequestsParameters = {
  /**
   * The share of requests given a span (0-1; default 1, every one), drawn per request before anything
   * else. A caller's traceparent does not force a span: any public client could otherwise turn tracing
   * back on at its full cost by sending one. A drawn request with a valid traceparent becomes its child
   * (and follows its sampled flag, as parent-based sampling does); one without, or with a malformed one,
   * a root.
   */
  ratio?: number | undefined
  /** Uniform in [0, 1): the draw per request (tests fix it). */
  random?: (() => number) | undefined
}

/** The link to the block trace that made the prediction served (the traceparent stored with it). */
function linksOf(traceparent: string | undefined): Link[] | undefined {
  if (traceparent === undefined) return undefined
  const [, traceId, spanId, flags] = traceparent.split('-')
  if (traceId === undefined || spanId === undefined || flags === undefined) return undefined
  return [
    {
      context: { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true },
      attributes: { 'feecast.link': 'prediction' },
    },
  ]
}

/**
 * One server span per request (tracing on only: createApi adds this observer then, and no step or route
 * does any tracing work otherwise). Made after the answer, with the request's own start and end times:
 * the method, the route pattern (never the path or the query), the status and the request id; a link
 * to the trace of the block whose prediction answered it. No header becomes an attribute, so neither
 * Authorization nor X-API-Key can leak; a caller's valid traceparent makes the span its child. With
 * `ratio` below 1, a request is traced with that probability and the others cost one draw: at tens of
 * thousands of requests a second a span for each would cost more than the answers, and an exporter's
 * queue would drop most of them anyway.
 */
export function traceRequests(
  tracer: Tracer,
  { ratio = 1, random = Math.random }: TraceRequestsParameters = {},
): Observer {
  return (c, { status }) => {
    if (ratio < 1 && !(random() < ratio)) return
    const end = performance.timeOrigin + performance.now()
    const parent = propagation.extract(ROOT_CONTEXT, traceHeadersOf(c.req.rawHeaders ?? []), headerGetter)
    const attributes: Attributes = {
      'http.request.method': c.method,
      'http.route': c.route,
      'http.response.status_code': status,
      'feecast.request.id': c.requestId ?? '',
    }
    const served = c.servedFrom?.prediction
    if (served !== undefined) {
      attributes['feecast.chain_id'] = served.chainId
      attributes['feecast.block.number'] = served.blockNumber
    }
    const span = tracer.startSpan(
      `${c.method} ${c.route}`,
      {
        kind: SpanKind.SERVER,
        startTime: performance.timeOrigin + c.startedAt,
        attributes,
        links: linksOf(c.servedFrom?.traceparent),
      },
      trace.getSpan(parent) === undefined ? ROOT_CONTEXT : parent,
    )
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
    span.end(end)
  }
}

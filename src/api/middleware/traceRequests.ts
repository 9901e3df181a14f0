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

/** Reads the caller's traceparent / tracestate from Node's headers (the only ones the propagator asks for). */
const headerGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
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
 * Authorization nor X-API-Key can leak; a caller's traceparent makes the span its child.
 */
export function traceRequests(tracer: Tracer): Observer {
  return (c, { status }) => {
    const end = performance.timeOrigin + performance.now()
    const parent = propagation.extract(ROOT_CONTEXT, c.req.headers ?? {}, headerGetter)
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

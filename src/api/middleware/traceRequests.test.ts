import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { predictionFixture } from '../../../test/support/predictionFixture.js'
import { testContext } from '../core/testRequest.js'
import type { FeedEntry } from '../predictionFeed.js'
import { traceHeadersOf, traceRequests } from './traceRequests.js'

const apiKey = 'ApiKeyNeverInSpans_0123456789'
const blockTraceId = '0af7651916cd43dd8448eb211c80319c'
const blockSpanId = 'b7ad6b7169203331'

describe('traceRequests', () => {
  const exporter = new InMemorySpanExporter()
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  beforeAll(() => provider.register())
  afterAll(async () => {
    await provider.shutdown()
    trace.disable()
    context.disable()
    propagation.disable()
  })
  beforeEach(() => exporter.reset())
  const observe = traceRequests(provider.getTracer('test'))

  /** A context as the pipeline leaves it after the route answered from `entry`. */
  const answered = (headers: Record<string, string>, entry?: FeedEntry) => {
    const c = testContext({ target: `/predict?chainId=1&apikey=${apiKey}`, headers })
    c.route = '/predict'
    c.requestId = 'req-42'
    c.servedFrom = entry
    return c
  }
  const entry: FeedEntry = {
    prediction: predictionFixture({ chainId: 1, blockNumber: 500 }),
    version: 'v',
    receivedAt: 0,
    memo: new Map(),
    traceparent: `00-${blockTraceId}-${blockSpanId}-01`,
  }

  it('makes a server span with route, status and request id, linked to the block trace of the prediction', () => {
    const c = answered({ Authorization: `Bearer ${apiKey}`, 'X-API-Key': apiKey }, entry)
    observe(c, { status: 200, durationSeconds: 0.001 })
    const [span] = exporter.getFinishedSpans()
    expect(span?.name).toBe('GET /predict')
    expect(span?.kind).toBe(SpanKind.SERVER)
    expect(span?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/predict',
      'http.response.status_code': 200,
      'feecast.request.id': 'req-42',
      'feecast.chain_id': 1,
      'feecast.block.number': 500,
    })
    expect(span?.links.map((l) => l.context.spanId)).toEqual([blockSpanId])
    expect(span?.links[0]?.context.traceId).toBe(blockTraceId)
    expect(span?.parentSpanContext).toBeUndefined()
    // Neither the key's headers nor the query (which here carries the key) reach the span.
    expect(JSON.stringify([span?.attributes, span?.name, span?.events, span?.status])).not.toContain(apiKey)
  })

  it("joins the caller's trace; a 5xx is an error; no prediction served, no link", () => {
    const caller = '4bf92f3577b34da6a3ce929d0e0e4736'
    observe(answered({ traceparent: `00-${caller}-00f067aa0ba902b7-01` }), {
      status: 503,
      durationSeconds: 0,
    })
    const [span] = exporter.getFinishedSpans()
    expect(span?.spanContext().traceId).toBe(caller)
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7')
    expect(span?.status.code).toBe(SpanStatusCode.ERROR)
    expect(span?.links).toEqual([])
  })

  it('traces the given share of requests, whatever trace headers a caller sends', () => {
    const draws = [0.1, 0.3, 0.24, 0.9]
    const sampled = traceRequests(provider.getTracer('test'), {
      ratio: 0.25,
      random: () => draws.shift() ?? 1,
    })
    for (let i = 0; i < 4; i++) sampled(answered({}), { status: 200, durationSeconds: 0 })
    // 0.1 and 0.24 fall under 0.25.
    expect(exporter.getFinishedSpans()).toHaveLength(2)
    exporter.reset()
    // At ratio 0 nothing a caller sends makes a span: a sampled traceparent, a malformed one, a repeated
    // one (any public client could otherwise bring back tracing's whole cost).
    const none = traceRequests(provider.getTracer('test'), { ratio: 0, random: () => 0 })
    const caller = '4bf92f3577b34da6a3ce929d0e0e4736'
    for (const headers of [
      {} as Record<string, string>,
      { TraceParent: `00-${caller}-00f067aa0ba902b7-01` },
      { traceparent: 'garbage' },
    ])
      none(answered(headers), { status: 200, durationSeconds: 0 })
    const repeated = answered({})
    Object.assign(repeated.req, {
      rawHeaders: [
        'traceparent',
        `00-${caller}-00f067aa0ba902b7-00`,
        'traceparent',
        `00-${caller}-00f067aa0ba902b7-00`,
      ],
    })
    none(repeated, { status: 200, durationSeconds: 0 })
    expect(exporter.getFinishedSpans()).toHaveLength(0)
  })

  it("a drawn request follows a caller's valid traceparent, and is a root with a malformed one", () => {
    const caller = '4bf92f3577b34da6a3ce929d0e0e4736'
    observe(answered({ traceparent: `00-${caller}-00f067aa0ba902b7-00` }), {
      status: 200,
      durationSeconds: 0,
    })
    // Unsampled by the caller: parent-based sampling records nothing.
    expect(exporter.getFinishedSpans()).toHaveLength(0)
    observe(answered({ traceparent: 'garbage' }), { status: 200, durationSeconds: 0 })
    const [root] = exporter.getFinishedSpans()
    expect(root?.parentSpanContext).toBeUndefined()
    expect(root?.spanContext().traceId).not.toBe(caller)
  })
})

describe('traceHeadersOf', () => {
  it('finds the trace headers in any case; a repeated traceparent is joined, so no longer valid', () => {
    expect(traceHeadersOf(['Host', 'x', 'TraceParent', 'a', 'tracestate', 'k=v'])).toEqual({
      traceparent: 'a',
      tracestate: 'k=v',
    })
    expect(traceHeadersOf(['traceparent', 'a', 'traceparent', 'b'])).toEqual({ traceparent: 'a, b' })
    expect(traceHeadersOf(['Host', 'x'])).toEqual({})
  })
})

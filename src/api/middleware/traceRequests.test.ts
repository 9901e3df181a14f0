import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { predictionFixture } from '../../../test/support/predictionFixture.js'
import { testContext } from '../core/testRequest.js'
import type { FeedEntry } from '../predictionFeed.js'
import { traceRequests } from './traceRequests.js'

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
    // Node's parsed headers, as the observer reads them for a caller's traceparent.
    Object.assign(c.req, {
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    })
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
})

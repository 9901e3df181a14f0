import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { freePort } from '../src/lib/freePort.js'
import { type FeecastProcess, startFeecast, waitForStatus } from './support/feecastProcess.js'
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './support/otlpReceiver.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * Issue 15 item 3: OpenTelemetry traces, end to end on real parts: `feecast start` as its own process,
 * a real redis-server, the devchain as the chain (reached through a URL that carries an API key in its
 * path and its query, as Alchemy's and Infura's do), and the SDK's real OTLP/HTTP exporter. No collector
 * runs here: the receiver is a test double (test/support/otlpReceiver.ts) that decodes what the exporter
 * posts. Checked: one block's trace (root, fetch with its RPC client spans, features, model,
 * calibration, the Redis writes; parent and child ids), an API request's span linked to that block's
 * trace and carrying the request id, and no RPC key or API key anywhere in what was exported.
 */

const rpcPathKey = 'pAtHkEy7Q2m9XvT4LsW8nB3c'
const rpcQueryKey = 'qUeRyKeY-5r8T1wZ6yH0'
const apiKey = 'ApiKeyForTraces_0123456789abcdef'
const requestId = 'trace-test-req-1'
/** A caller's own trace: the request's span must join it. */
const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736'
const callerSpanId = '00f067aa0ba902b7'

const byName = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name)

/** The parts a traced feecast runs on. */
type TracedSetup = { redis: TestRedis; devchain: Devchain; receiver: OtlpReceiver; feecast: FeecastProcess }

/**
 * For the describe it is called in: a receiver, a redis-server, the devchain (`history` blocks) and
 * `feecast start` on them (its RPC URL made from the devchain by `rpcUrl`), exporting to the receiver,
 * with `env` beside, started before its tests (once /healthz answers) and stopped after. Returns the
 * parts, for the tests to take once started.
 */
function tracedFeecast({
  history,
  rpcUrl,
  env,
}: {
  history: number
  rpcUrl: (d: Devchain) => string
  env: Record<string, string>
}): () => TracedSetup {
  const parts: Partial<TracedSetup> = {}
  beforeAll(async () => {
    parts.receiver = await startOtlpReceiver()
    parts.redis = await startTestRedis()
    const devchain = await startDevchain({ blockTime: 1, history })
    parts.devchain = devchain
    parts.feecast = await startFeecast({
      env: {
        REDIS_URL: parts.redis.url,
        [`RPC_URL_${devchain.chainId}`]: rpcUrl(devchain),
        HISTORY_BLOCKS: String(history),
        OTEL_EXPORTER_OTLP_ENDPOINT: parts.receiver.endpoint,
        ...env,
      },
    })
    await waitForStatus(`${parts.feecast.url}/healthz`, 200, 120_000)
  }, 180_000)
  afterAll(async () => {
    await parts.feecast?.stop()
    await parts.devchain?.stop()
    await parts.redis?.stop()
    await parts.receiver?.close()
  })
  return () => parts as TracedSetup
}

describe('traces (OTEL_EXPORTER_OTLP_ENDPOINT on)', () => {
  const traced = tracedFeecast({
    history: 128,
    rpcUrl: (d) => `${d.url}/v2/${rpcPathKey}?apikey=${rpcQueryKey}`,
    env: { API_KEYS: apiKey, OTEL_SERVICE_NAME: 'feecast-trace-test' },
  })

  it('exports one trace per block, links the API request to it, and exports no key', async () => {
    const { devchain, receiver, feecast } = traced()
    // A prediction of a block the sampler followed (not the backfill): its trace is the whole path.
    const answered = await waitFor(
      async () => {
        const response = await fetch(`${feecast.url}/predict?chainId=${devchain.chainId}`, {
          headers: {
            authorization: `Bearer ${apiKey}`,
            'x-request-id': requestId,
            traceparent: `00-${callerTraceId}-${callerSpanId}-01`,
          },
        })
        if (response.status !== 200) return undefined
        const body = (await response.json()) as { blockNumber: number }
        const root = receiver
          .spans()
          .find(
            (s) =>
              s.name === 'block' &&
              s.attributes['feecast.block.number'] === body.blockNumber &&
              s.attributes['feecast.block.sampled_here'] === undefined,
          )
        return root ? { body, root } : undefined
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        message: () => `a followed block's trace and its /predict answer`,
      },
    )
    // The same prediction answered with X-API-Key instead of Authorization.
    const second = await fetch(`${feecast.url}/predict?chainId=${devchain.chainId}`, {
      headers: { 'x-api-key': apiKey, 'x-request-id': `${requestId}-b` },
    })
    expect(second.status).toBe(200)

    const { root } = answered
    const server = await waitFor(
      () => {
        const spans = receiver
          .spans()
          .filter((s) => s.kind === 2 && s.attributes['feecast.request.id'] === requestId)
        return spans.find((s) => s.links.some((l) => l.spanId === root.spanId))
      },
      { timeoutMs: 20_000, intervalMs: 250, message: 'the request span linked to the block trace' },
    )

    // The block's trace: root, the sampler's fetch with its RPC client spans, the Redis writes, and the
    // predictor's stages, each with the right parent.
    const trace = receiver.spans().filter((s) => s.traceId === root.traceId)
    const only = (name: string) => {
      const found = byName(trace, name)
      expect(found, name).toHaveLength(1)
      return found[0] as ReceivedSpan
    }
    expect(root.parentSpanId).toBeUndefined()
    expect(root.attributes['feecast.chain_id']).toBe(devchain.chainId)
    expect(root.resource['service.name']).toBe('feecast-trace-test')
    const fetchSpan = only('sampler.fetch')
    const children = [
      'sampler.fetch',
      'redis.write_blocks',
      'calibration.score',
      'features',
      'model',
      'calibration',
    ]
    for (const name of [...children, 'redis.write_prediction'])
      expect(only(name).parentSpanId, name).toBe(root.spanId)
    const rpcSpans = trace.filter((s) => s.kind === 3)
    expect(rpcSpans.length).toBeGreaterThan(0)
    for (const rpc of rpcSpans) {
      expect(rpc.parentSpanId).toBe(fetchSpan.spanId)
      expect(rpc.attributes['rpc.system']).toBe('jsonrpc')
      expect(rpc.attributes['server.address']).toBe('127.0.0.1')
      expect(rpc.attributes['server.port']).toBe(devchain.port)
    }
    expect(rpcSpans.map((s) => s.attributes['rpc.method'])).toContain('eth_getBlockByNumber')
    // Order: fetch, then the block write, then the prediction's stages, then its write; inside the root.
    // (The SDK's clock anchors some start times to Date.now(): compared to its 1 ms precision.)
    const ms = 1_000_000n
    const follows = (later: string, earlier: string) =>
      expect(only(later).startNs + ms, `${later} after ${earlier}`).toBeGreaterThanOrEqual(
        only(earlier).endNs,
      )
    follows('redis.write_blocks', 'sampler.fetch')
    follows('features', 'redis.write_blocks')
    follows('model', 'features')
    follows('calibration', 'model')
    follows('redis.write_prediction', 'calibration')
    for (const span of trace) {
      expect(span.startNs + ms).toBeGreaterThanOrEqual(root.startNs)
      expect(span.endNs).toBeLessThanOrEqual(root.endNs + ms)
    }
    expect(trace.every((s) => s.status.code !== 2)).toBe(true)

    // The request's span: a server span in the caller's trace, with route, status and request id, linked
    // to the block's root.
    expect(server.name).toBe('GET /predict')
    expect(server.traceId).toBe(callerTraceId)
    expect(server.parentSpanId).toBe(callerSpanId)
    expect(server.attributes['http.route']).toBe('/predict')
    expect(server.attributes['http.response.status_code']).toBe(200)
    expect(server.attributes['feecast.block.number']).toBe(answered.body.blockNumber)
    expect(server.links).toEqual([
      { traceId: root.traceId, spanId: root.spanId, attributes: { 'feecast.link': 'prediction' } },
    ])
    const serverB = await waitFor(
      () => receiver.spans().find((s) => s.attributes['feecast.request.id'] === `${requestId}-b`),
      { timeoutMs: 20_000, intervalMs: 250, message: 'the second request span' },
    )
    expect(serverB.parentSpanId).toBeUndefined()

    // The sampler's sync at start (the backfill of HISTORY_BLOCKS) is a trace of its own: a root span with
    // what it found, and the RPC calls it made as its children.
    const sync = byName(receiver.spans(), 'sampler.sync').find(
      (s) => s.attributes['feecast.chain_id'] === devchain.chainId,
    )
    expect(sync, 'the sync trace').toBeDefined()
    const syncSpan = sync as ReceivedSpan
    expect(syncSpan.parentSpanId).toBeUndefined()
    expect(syncSpan.status.code).not.toBe(2)
    expect(syncSpan.attributes['feecast.sync.stored_head']).toBe(-1)
    expect(Number(syncSpan.attributes['feecast.sync.node_head'])).toBeGreaterThanOrEqual(128)
    expect(Number(syncSpan.attributes['feecast.sync.blocks_written'])).toBeGreaterThanOrEqual(128)
    const syncCalls = receiver
      .spans()
      .filter((s) => s.traceId === syncSpan.traceId && s.kind === 3)
      .map((s) => {
        expect(s.parentSpanId).toBe(syncSpan.spanId)
        return s.attributes['rpc.method']
      })
    for (const method of ['eth_config', 'eth_blockNumber', 'eth_getBlockByNumber'])
      expect(syncCalls, method).toContain(method)

    // The exporter posted OTLP/HTTP JSON to /v1/traces.
    expect(receiver.requests().every((r) => r.path === '/v1/traces')).toBe(true)
    expect(receiver.requests()[0]?.contentType).toMatch(/application\/json/)

    // No key in anything exported: attributes, events, links, resource, status messages, names. The
    // bodies are searched whole, in every spelling a key may take.
    const exported = receiver.bodies().join('\n')
    expect(exported).toContain('127.0.0.1') // the endpoint's host is there: the search sees endpoints
    for (const secret of [rpcPathKey, rpcQueryKey, apiKey])
      for (const spelling of [
        secret,
        encodeURIComponent(secret),
        secret.toLowerCase(),
        Buffer.from(secret).toString('base64'),
      ])
        expect(exported.includes(spelling), `${secret} as ${spelling}`).toBe(false)
    expect(exported).not.toMatch(/\/v2\/|apikey=|authorization|x-api-key/i)

    // The public contract is unchanged: the stored traceparent is not served.
    expect(JSON.stringify(answered.body)).not.toContain('traceparent')
    const spans = receiver.spans()
    const names = [...new Set(spans.filter((s) => s.traceId === root.traceId).map((s) => s.name))].sort()
    console.log(
      JSON.stringify({
        exportRequests: receiver.bodies().length,
        spans: spans.length,
        blockTraces: spans.filter((s) => s.name === 'block').length,
        requestSpans: spans.filter((s) => s.kind === 2).length,
        tree: trace
          .sort((a, b) => Number(a.startNs - b.startNs))
          .map((s) => ({
            name: s.name,
            id: s.spanId,
            parent: s.parentSpanId ?? null,
            ms: Number(s.endNs - s.startNs) / 1e6,
          })),
        names,
      }),
    )
  }, 240_000)
})

describe('traces with a collector that is down', () => {
  let redis: TestRedis
  let devchain: Devchain
  let feecast: FeecastProcess

  beforeAll(async () => {
    redis = await startTestRedis()
    devchain = await startDevchain({ blockTime: 1, history: 64 })
    // A port nothing listens on: every export fails (connection refused).
    const closed = await freePort()
    feecast = await startFeecast({
      env: {
        REDIS_URL: redis.url,
        [`RPC_URL_${devchain.chainId}`]: devchain.url,
        HISTORY_BLOCKS: '64',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`,
      },
    })
  }, 180_000)

  afterAll(async () => {
    await feecast?.stop()
    await devchain?.stop()
    await redis?.stop()
  })

  it('keeps predicting and serving, and stops cleanly', async () => {
    await waitForStatus(`${feecast.url}/predict?chainId=${devchain.chainId}`, 200, 120_000)
    const first = (await (await fetch(`${feecast.url}/predict?chainId=${devchain.chainId}`)).json()) as {
      blockNumber: number
    }
    // New blocks are still predicted while every export fails.
    await waitFor(
      async () => {
        const now = (await (await fetch(`${feecast.url}/predict?chainId=${devchain.chainId}`)).json()) as {
          blockNumber: number
        }
        return now.blockNumber >= first.blockNumber + 3
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'three more blocks predicted' },
    )
    expect(await feecast.stop('SIGTERM', 20_000)).toBe(0)
    expect(feecast.output()).toMatch(/tracing on/)
  }, 120_000)
})

describe('traces over a WebSocket endpoint (RPC_URL_<id>=ws://)', () => {
  const traced = tracedFeecast({
    history: 64,
    // The key in the query, as providers' ws URLs carry it.
    rpcUrl: (d) => `${d.wsUrl}/?apikey=${rpcQueryKey}`,
    // Requests are not what this test looks at: none of them traced.
    env: { TRACE_REQUEST_RATIO: '0' },
  })

  it("a followed block's calls over the socket are its fetch's client spans; no request span, no key", async () => {
    const { devchain, receiver, feecast } = traced()
    // A block the sampler followed from a newHeads notification (not the sync's backfill).
    const root = await waitFor(
      () =>
        receiver
          .spans()
          .find((s) => s.name === 'block' && s.attributes['feecast.block.sampled_here'] === undefined),
      { timeoutMs: 120_000, intervalMs: 500, message: 'a followed block trace' },
    )
    const response = await fetch(`${feecast.url}/predict?chainId=${devchain.chainId}`)
    expect(response.status).toBe(200)
    // The heads came over the socket's subscription, not from polling: the calls were the socket's.
    const metrics = await (await fetch(`${feecast.url}/metrics`)).text()
    expect(metrics).toMatch(/^feecast_head_subscription_live\{[^}]*\} 1$/m)
    const trace = receiver.spans().filter((s) => s.traceId === root.traceId)
    const fetchSpan = byName(trace, 'sampler.fetch')[0]
    expect(fetchSpan?.parentSpanId).toBe(root.spanId)
    const rpcSpans = trace.filter((s) => s.kind === 3)
    expect(rpcSpans.map((s) => s.attributes['rpc.method'])).toContain('eth_getBlockByNumber')
    for (const rpc of rpcSpans) {
      expect(rpc.parentSpanId).toBe(fetchSpan?.spanId)
      expect(rpc.attributes['server.address']).toBe('127.0.0.1')
      expect(rpc.attributes['server.port']).toBe(devchain.port)
    }
    // The subscription itself is no call: no span names it.
    expect(receiver.spans().some((s) => s.attributes['rpc.method'] === 'eth_subscribe')).toBe(false)
    // TRACE_REQUEST_RATIO=0: the request above (no traceparent) made no server span. A clean stop exports
    // what the batch processor still holds, so a server span for the request would be in by then.
    expect(await feecast.stop('SIGTERM', 20_000)).toBe(0)
    expect(receiver.spans().filter((s) => s.kind === 2)).toEqual([])
    // What the exporter posted, as sent: the key of the ws URL's query nowhere in it.
    const exported = receiver.bodies().join('\n')
    expect(exported).toContain('eth_getBlockByNumber')
    expect(exported).not.toContain(rpcQueryKey)
    expect(exported).not.toMatch(/apikey=|ws:\/\//i)
  }, 180_000)
})

import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useTracer } from './activeTracer.js'
import {
  claimBlockTrace,
  endBlockTrace,
  endWaitingBlockTraces,
  handOffBlockTrace,
  inBlockStage,
  inBlockStageSync,
  startBlockTrace,
  traceparentOf,
} from './blockTraces.js'
import { inRpcClientSpan } from './rpcClientSpan.js'

const keyUrl = 'https://eth.example.io/v2/sEcReTkEy0123456789abc?apikey=QuErYsEcReT99'

describe('tracing off (the default)', () => {
  it('makes no span and runs each stage bare', async () => {
    useTracer(null)
    const block = startBlockTrace(1, 100)
    expect(block).toBeNull()
    expect(claimBlockTrace(1, 100)).toBeNull()
    expect(await inBlockStage(block, 'sampler.fetch', async () => 'fetched')).toBe('fetched')
    expect(inBlockStageSync(block, 'features', () => 7)).toBe(7)
    expect(
      await inRpcClientSpan({ method: 'eth_blockNumber', endpoint: 'x#0', url: keyUrl }, async () => 1),
    ).toBe(1)
    expect(traceparentOf(block)).toBeUndefined()
    // No context was entered: the active span stays none.
    await inBlockStage(block, 'stage', async () => expect(trace.getSpan(context.active())).toBeUndefined())
  })
})

describe('tracing on', () => {
  let exporter: InMemorySpanExporter
  let provider: NodeTracerProvider
  beforeEach(() => {
    // A new exporter each time: shutting the provider down stops its exporter.
    exporter = new InMemorySpanExporter()
    provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
    provider.register()
    useTracer(provider.getTracer('test'))
  })
  afterEach(async () => {
    endWaitingBlockTraces()
    useTracer(null)
    await provider.shutdown()
    trace.disable()
    context.disable()
    propagation.disable()
  })

  const spans = () => exporter.getFinishedSpans()
  const named = (name: string) => spans().filter((s) => s.name === name)

  it('makes a root per block; stages and the RPC calls inside them are its children', async () => {
    const block = startBlockTrace(1, 100)
    await inBlockStage(block, 'sampler.fetch', () =>
      inRpcClientSpan(
        { method: 'eth_getBlockByNumber', endpoint: 'eth.example.io#0', url: keyUrl },
        async () => 'ok',
      ),
    )
    inBlockStageSync(block, 'features', () => 1)
    endBlockTrace(block)
    endBlockTrace(block) // once only
    const [root] = named('block')
    const [fetch] = named('sampler.fetch')
    const [rpc] = named('eth_getBlockByNumber')
    expect(named('block')).toHaveLength(1)
    expect(root?.parentSpanContext).toBeUndefined()
    expect(root?.attributes).toMatchObject({ 'feecast.chain_id': 1, 'feecast.block.number': 100 })
    expect(fetch?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId)
    expect(named('features')[0]?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId)
    expect(rpc?.parentSpanContext?.spanId).toBe(fetch?.spanContext().spanId)
    expect(rpc?.kind).toBe(SpanKind.CLIENT)
    expect(rpc?.attributes).toEqual({
      'rpc.system': 'jsonrpc',
      'rpc.method': 'eth_getBlockByNumber',
      'feecast.rpc.endpoint': 'eth.example.io#0',
      'server.address': 'eth.example.io',
      'server.port': 443,
    })
  })

  it('makes no RPC span outside a block (the head polls)', async () => {
    await inRpcClientSpan({ method: 'eth_blockNumber', endpoint: 'x#0', url: keyUrl }, async () => 1)
    expect(spans()).toHaveLength(0)
  })

  it('marks a failure by its kind only, never its message', async () => {
    const block = startBlockTrace(1, 5)
    const error = Object.assign(new Error(`upstream said: invalid key at ${keyUrl}`), { kind: 'http' })
    await expect(
      inBlockStage(block, 'sampler.fetch', () =>
        inRpcClientSpan({ method: 'eth_getBlockByNumber', endpoint: 'x#0', url: keyUrl }, () =>
          Promise.reject(error),
        ),
      ),
    ).rejects.toBe(error)
    endBlockTrace(block, error)
    expect(spans()).toHaveLength(3)
    for (const span of spans()) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'http' })
      expect(span.attributes['error.type']).toBe('Error')
      expect(span.events).toEqual([])
    }
    expect(JSON.stringify(spans().map((s) => [s.attributes, s.status, s.name]))).not.toMatch(
      /sEcReT|QuErY|\/v2\//,
    )
  })

  it('hands a stored block to the predictor, which continues the same trace', () => {
    const block = startBlockTrace(1, 100)
    handOffBlockTrace(block)
    expect(spans()).toHaveLength(0)
    const claimed = claimBlockTrace(1, 100)
    expect(claimed).toBe(block)
    expect(traceparentOf(claimed)).toBe(
      `00-${block?.span.spanContext().traceId}-${block?.span.spanContext().spanId}-01`,
    )
    endBlockTrace(claimed)
    expect(named('block')).toHaveLength(1)
  })

  it('ends the blocks the predictor skipped, and starts a trace for a block it was not handed', () => {
    const a = startBlockTrace(7, 10)
    const b = startBlockTrace(7, 11)
    const other = startBlockTrace(8, 3)
    handOffBlockTrace(a)
    handOffBlockTrace(b)
    handOffBlockTrace(other)
    const claimed = claimBlockTrace(7, 12)
    expect(claimed).not.toBe(a)
    expect(claimed?.span.spanContext().traceId).not.toBe(b?.span.spanContext().traceId)
    const ended = named('block')
    expect(
      ended.map((s) => [s.attributes['feecast.block.number'], s.attributes['feecast.prediction']]),
    ).toEqual([
      [10, 'skipped'],
      [11, 'skipped'],
    ])
    endBlockTrace(claimed)
    expect(named('block').at(-1)?.attributes['feecast.block.sampled_here']).toBe(false)
    expect(claimBlockTrace(8, 3)).toBe(other) // another chain's block still waits
  })
})

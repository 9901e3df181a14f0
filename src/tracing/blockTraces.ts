import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
} from '@opentelemetry/api'
import { activeTracer } from './activeTracer.js'
import { endSpanWith, failSpan } from './failSpan.js'

/**
 * One trace per block (issue 15): a root span `block` from the sampler's fetch to the prediction made
 * from it, with the stages as its children. The sampler starts it, hands it to the predictor of the same
 * chain once the block is stored, and the predictor ends it when the prediction is stored. A block the
 * predictor skips (a newer one arrived while it ran) or never takes is ended after `handOffMs`.
 */
export type BlockTrace = {
  readonly chainId: number
  readonly blockNumber: number
  readonly span: Span
  /** The root span's context: the parent of every stage. */
  readonly context: Context
  ended: boolean
}

/** How long a stored block's trace waits for its prediction before it is ended without one. */
const handOffMs = 30_000

/** Per chain, the traces handed to the predictor and not taken yet (oldest first). */
const waiting = new Map<number, Map<number, { trace: BlockTrace; timer: NodeJS.Timeout }>>()

/** A new block trace, or null when tracing is off. */
export function startBlockTrace(
  chainId: number,
  blockNumber: number,
  attributes: Attributes = {},
): BlockTrace | null {
  const tracer = activeTracer()
  if (tracer === null) return null
  const span = tracer.startSpan(
    'block',
    {
      kind: SpanKind.INTERNAL,
      root: true,
      attributes: { 'feecast.chain_id': chainId, 'feecast.block.number': blockNumber, ...attributes },
    },
    ROOT_CONTEXT,
  )
  return { chainId, blockNumber, span, context: trace.setSpan(ROOT_CONTEXT, span), ended: false }
}

/** Ends the block's trace (failed, with the error's kind only, when `error` is given). Idempotent. */
export function endBlockTrace(block: BlockTrace | null, error?: unknown): void {
  if (block === null || block.ended) return
  block.ended = true
  if (error !== undefined) failSpan(block.span, error)
  block.span.end()
}

/**
 * A stage of the block as a child span: `run` runs inside it (so RPC calls made there become its
 * children). With no block trace (tracing off), just `run()`.
 */
export function inBlockStage<T>(
  block: BlockTrace | null,
  name: string,
  run: () => Promise<T>,
  attributes?: Attributes,
): Promise<T> {
  if (block === null) return run()
  const tracer = activeTracer()
  if (tracer === null) return run()
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, block.context)
  return endSpanWith(span, context.with(trace.setSpan(block.context, span), run))
}

/** inBlockStage for a synchronous stage (features, model, calibration). */
export function inBlockStageSync<T>(block: BlockTrace | null, name: string, run: () => T): T {
  if (block === null) return run()
  const tracer = activeTracer()
  if (tracer === null) return run()
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL }, block.context)
  try {
    return context.with(trace.setSpan(block.context, span), run)
  } catch (error) {
    failSpan(span, error)
    throw error
  } finally {
    span.end()
  }
}

/** The sampler stored the block: its trace waits for the chain's predictor (claimBlockTrace). */
export function handOffBlockTrace(block: BlockTrace | null): void {
  if (block === null || block.ended) return
  let chain = waiting.get(block.chainId)
  if (chain === undefined) {
    chain = new Map()
    waiting.set(block.chainId, chain)
  }
  endWaiting(block.chainId, block.blockNumber, 'replaced')
  const timer = setTimeout(() => endWaiting(block.chainId, block.blockNumber, 'not-predicted'), handOffMs)
  timer.unref()
  chain.set(block.blockNumber, { trace: block, timer })
}

/**
 * The predictor takes block `blockNumber`'s trace: the one the sampler handed over, else a new one (a
 * block stored by the sync step, or by another process). The chain's older waiting traces are ended:
 * the predictor skipped those blocks (a newer one was stored while it ran). Null when tracing is off.
 */
export function claimBlockTrace(chainId: number, blockNumber: number): BlockTrace | null {
  if (activeTracer() === null) return null
  const chain = waiting.get(chainId)
  const found = chain?.get(blockNumber)
  if (chain !== undefined)
    for (const number of [...chain.keys()]) if (number < blockNumber) endWaiting(chainId, number, 'skipped')
  if (found !== undefined) {
    clearTimeout(found.timer)
    chain?.delete(blockNumber)
    return found.trace
  }
  return startBlockTrace(chainId, blockNumber, { 'feecast.block.sampled_here': false })
}

/** Ends a waiting trace that gets no prediction, saying why. */
function endWaiting(chainId: number, blockNumber: number, why: 'replaced' | 'skipped' | 'not-predicted') {
  const chain = waiting.get(chainId)
  const entry = chain?.get(blockNumber)
  if (chain === undefined || entry === undefined) return
  clearTimeout(entry.timer)
  chain.delete(blockNumber)
  entry.trace.span.setAttribute('feecast.prediction', why)
  endBlockTrace(entry.trace)
}

/** Ends every waiting trace (at shutdown, before the last export). */
export function endWaitingBlockTraces(): void {
  for (const [chainId, chain] of waiting)
    for (const number of [...chain.keys()]) endWaiting(chainId, number, 'not-predicted')
}

/** The block trace's root as a W3C traceparent, carried with the prediction so API spans can link to it. */
export function traceparentOf(block: BlockTrace | null): string | undefined {
  if (block === null) return undefined
  const { traceId, spanId, traceFlags } = block.span.spanContext()
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`
}

import { context, SpanKind, trace } from '@opentelemetry/api'
import { shownHostname } from '../lib/redact.js'
import { activeTracer } from './activeTracer.js'
import { endSpanWith } from './failSpan.js'

export type RpcClientSpanParameters = {
  /** The JSON-RPC method (eth_getBlockByNumber ...). */
  method: string
  /** The endpoint's label (host#index): the only name of the endpoint a span carries. */
  endpoint: string
  /** The endpoint's URL: only its host name and port are read from it, never its path, query or user. */
  url: string
}

/**
 * Host and port of an endpoint: keys live in user info, paths and queries, which are dropped here, and in
 * a host of the customer's own, which shownHostname hides.
 */
function serverOf(url: string): { 'server.address'?: string; 'server.port'?: number } {
  try {
    const u = new URL(url)
    const port =
      u.port === '' ? (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80) : Number(u.port)
    return { 'server.address': shownHostname(u), 'server.port': port }
  } catch {
    return {}
  }
}

/**
 * One JSON-RPC call to one endpoint as a client span, when it is made inside a traced stage (a block's
 * fetch): polls for the head outside a block trace make no span. The endpoint is named by its host and
 * label only; a failure by its kind (RpcEndpointError's kinds), never by a message.
 */
export function inRpcClientSpan<T>(
  { method, endpoint, url }: RpcClientSpanParameters,
  call: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer()
  if (tracer === null) return call()
  const parent = context.active()
  if (trace.getSpan(parent) === undefined) return call()
  const span = tracer.startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'rpc.system': 'jsonrpc',
        'rpc.method': method,
        'feecast.rpc.endpoint': endpoint,
        ...serverOf(url),
      },
    },
    parent,
  )
  return endSpanWith(span, call())
}

import { noRedaction, type Redactor } from '../lib/redact.js'
import { withoutCredentials } from './basicAuth.js'
import { RpcEndpointError } from './errors.js'
import { quoteProviderText } from './quoteProviderText.js'
import { readCapped } from './readCapped.js'

export type PostJsonRpcParameters = {
  url: string
  /** The endpoint's label, the only name errors use. */
  endpoint: string
  method: string
  params: unknown
  timeoutMs: number
  /**
   * Largest response accepted (bytes): the read stops as soon as the body passes it, so a hostile
   * endpoint's endless body costs at most this much memory. Default 8 MiB (config RPC_MAX_RESPONSE_BYTES).
   */
  maxBytes?: number
  /** Hides the endpoint's secrets in text quoted from its answers (a provider may quote the key back). */
  redact?: Redactor
}

/** The default cap on one response: a whole block with its transactions, with room to spare. */
export const defaultMaxResponseBytes = 8 * 1024 * 1024

let nextId = 1

type Fail = (
  kind: RpcEndpointError['kind'],
  problem: string,
  extra?: { code?: number; status?: number },
) => RpcEndpointError

/**
 * One JSON-RPC call over HTTP. Every failure becomes an RpcEndpointError of a known kind whose message is built
 * from codes and statuses only, so the URL (and its API key) cannot leak through an error message.
 */
export async function postJsonRpc({
  url,
  endpoint,
  method,
  params,
  timeoutMs,
  maxBytes = defaultMaxResponseBytes,
  redact = noRedaction,
}: PostJsonRpcParameters): Promise<unknown> {
  const fail: Fail = (kind, problem, extra = {}) =>
    new RpcEndpointError({ endpoint, method, kind, problem, ...extra })
  const id = nextId++
  const body = JSON.stringify({ jsonrpc: '2.0', id, method, params })
  const { status, text } = await post({ url, body, timeoutMs, maxBytes, fail })
  return resultOf({ status, text, id, redact, fail })
}

/** Posts the call and reads the answer, under one timeout and the size cap. */
async function post({
  url,
  body,
  timeoutMs,
  maxBytes,
  fail,
}: {
  url: string
  body: string
  timeoutMs: number
  maxBytes: number
  fail: Fail
}): Promise<{ status: number; text: string }> {
  const timeout = AbortSignal.timeout(timeoutMs)
  // Ours: aborts the read (and the connection) the moment the body passes maxBytes.
  const cut = new AbortController()
  const signal = AbortSignal.any([timeout, cut.signal])
  try {
    const target = withoutCredentials(url)
    const response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(target.authorization === undefined ? {} : { authorization: target.authorization }),
      },
      body,
      signal,
    })
    // The body is read under the same timeout: an endpoint that sends headers and then stalls is a hang too.
    const read = await readCapped(response, maxBytes)
    if (read.over) {
      cut.abort()
      throw fail('oversized', `response body passed ${maxBytes} bytes (${read.seen} read); read aborted`)
    }
    return { status: response.status, text: read.text }
  } catch (error) {
    if (error instanceof RpcEndpointError) throw error
    if (timeout.aborted) throw fail('timeout', `no response within ${timeoutMs} ms`)
    throw fail('network', describeNetworkError(error))
  }
}

/** The call's result from the answer, or the failure it is (HTTP status, JSON-RPC error, garbage). */
function resultOf({
  status,
  text,
  id,
  redact,
  fail,
}: {
  status: number
  text: string
  id: number
  redact: Redactor
  fail: Fail
}): unknown {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    if (status < 200 || status >= 300) throw fail('http', `HTTP ${status}`, { status })
    throw fail('garbage', `response is not JSON (${text.length} bytes)`)
  }
  const failed = status < 200 || status >= 300
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw fail(failed ? 'http' : 'garbage', `HTTP ${status}, not a JSON-RPC response`, { status })
  const envelope = body as { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: unknown }
  // A refused call (401 bad key, 429, 503) keeps its status, with what the provider said about it.
  if (failed) {
    const said = providerMessage(body)
    throw fail('http', `HTTP ${status}${said ? `: ${quoteProviderText(said, redact)}` : ''}`, { status })
  }
  if (envelope.error !== undefined && envelope.error !== null) {
    const error = envelope.error as { code?: unknown; message?: unknown }
    const code = typeof error.code === 'number' ? error.code : undefined
    const said = providerMessage(body)
    throw fail(
      'rpc',
      `JSON-RPC error ${code ?? '?'}: ${said ? quoteProviderText(said, redact) : 'no message'}`,
      {
        code,
      },
    )
  }
  if (envelope.id !== id) throw fail('garbage', 'response id does not match the request')
  if (!('result' in envelope)) throw fail('garbage', 'response has neither result nor error')
  return envelope.result
}

function describeNetworkError(error: unknown): string {
  // undici: TypeError('fetch failed') with the system error as cause; its code is safe to show, its message may not be.
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  return code ? `connection failed (${code})` : 'connection failed'
}

/** What a provider said in an error answer: `error.message`, a bare `error` string, or a top-level `message`. */
function providerMessage(body: object): string | undefined {
  const b = body as { error?: unknown; message?: unknown; error_description?: unknown }
  if (typeof b.error === 'string') return b.error
  if (typeof b.error === 'object' && b.error !== null) {
    const message = (b.error as { message?: unknown }).message
    if (typeof message === 'string') return message
  }
  if (typeof b.message === 'string') return b.message
  if (typeof b.error_description === 'string') return b.error_description
  return undefined
}

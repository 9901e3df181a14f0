/**
 * JSON-RPC 2.0 (https://www.jsonrpc.org/specification) over a request body: single and batch calls,
 * notifications, and the standard error codes. Transport-free, so it is tested without sockets.
 */

import { JsonRpcError } from './errors.js'

export const rpcErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** geth's code for errors of a valid call (e.g. "request beyond head block"). */
  serverError: -32000,
} as const

/** A method: positional params in, a JSON-serializable result out (or a JsonRpcError thrown). */
export type RpcMethod = (params: readonly unknown[]) => unknown
export type RpcMethods = Readonly<Record<string, RpcMethod>>

type Id = string | number | null
type Response = {
  jsonrpc: '2.0'
  id: Id
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

export type HandleJsonRpcParameters = {
  body: string
  methods: RpcMethods
  /** Largest batch served (geth: 1000). */
  maxBatch?: number
}

const errorResponse = (id: Id, code: number, message: string, data?: unknown): Response => ({
  jsonrpc: '2.0',
  id,
  error: data === undefined ? { code, message } : { code, message, data },
})

/**
 * Answers one HTTP body. Returns the response text, or null when nothing is owed (only notifications).
 */
export async function handleJsonRpc({
  body,
  methods,
  maxBatch = 1000,
}: HandleJsonRpcParameters): Promise<string | null> {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return JSON.stringify(errorResponse(null, rpcErrorCodes.parseError, 'Parse error'))
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0)
      return JSON.stringify(errorResponse(null, rpcErrorCodes.invalidRequest, 'empty batch'))
    if (parsed.length > maxBatch)
      return JSON.stringify(
        errorResponse(null, rpcErrorCodes.invalidRequest, `batch too large (at most ${maxBatch} calls)`),
      )
    const responses: Response[] = []
    for (const request of parsed) {
      const response = await handleOne(request, methods)
      if (response) responses.push(response)
    }
    return responses.length === 0 ? null : JSON.stringify(responses)
  }
  const response = await handleOne(parsed, methods)
  return response ? JSON.stringify(response) : null
}

async function handleOne(request: unknown, methods: RpcMethods): Promise<Response | null> {
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    return errorResponse(null, rpcErrorCodes.invalidRequest, 'Invalid Request: not an object')
  const r = request as Record<string, unknown>
  const hasId = 'id' in r
  const id = r.id
  if (hasId && id !== null && typeof id !== 'string' && typeof id !== 'number')
    return errorResponse(
      null,
      rpcErrorCodes.invalidRequest,
      'Invalid Request: id must be a string, a number or null',
    )
  const replyId = (hasId ? id : null) as Id
  if (r.jsonrpc !== '2.0')
    return errorResponse(replyId, rpcErrorCodes.invalidRequest, 'Invalid Request: jsonrpc must be "2.0"')
  if (typeof r.method !== 'string' || r.method === '')
    return errorResponse(
      replyId,
      rpcErrorCodes.invalidRequest,
      'Invalid Request: method must be a non-empty string',
    )
  if (r.params !== undefined && (typeof r.params !== 'object' || r.params === null))
    return errorResponse(
      replyId,
      rpcErrorCodes.invalidRequest,
      'Invalid Request: params must be an array or an object',
    )

  const method = Object.hasOwn(methods, r.method) ? methods[r.method] : undefined
  let response: Response
  if (!method) {
    response = errorResponse(
      replyId,
      rpcErrorCodes.methodNotFound,
      `the method ${r.method} does not exist/is not available`,
    )
  } else if (r.params !== undefined && !Array.isArray(r.params)) {
    response = errorResponse(
      replyId,
      rpcErrorCodes.invalidParams,
      'invalid params: by-name params are not supported, pass an array',
    )
  } else {
    try {
      const result = await method((r.params as unknown[] | undefined) ?? [])
      response = { jsonrpc: '2.0', id: replyId, result: result === undefined ? null : result }
    } catch (error) {
      response =
        error instanceof JsonRpcError
          ? errorResponse(replyId, error.code, error.message, error.data)
          : errorResponse(
              replyId,
              rpcErrorCodes.internalError,
              `Internal error: ${(error as Error)?.message ?? String(error)}`,
            )
    }
  }
  // A request without an id is a notification: it runs, and gets no answer, not even an error.
  return hasId ? response : null
}

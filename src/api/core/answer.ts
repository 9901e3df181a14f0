import { Buffer } from 'node:buffer'
import type { ServerResponse } from 'node:http'
import type { Context } from './context.js'

/**
 * What a route or a middleware answers: a status, its own headers as a flat list ([name, value, ...],
 * Node's fastest form), and a body. Answers that do not change between requests (a block's prediction,
 * an error) are made once and reused: nothing here mutates an answer.
 */
export type Answer = {
  readonly status: number
  readonly headers: readonly string[]
  /** Bytes, or null for none (204, 304). Content-Length is set from them. */
  readonly body: Buffer | null
  /** Content-Length as a header value, when the answer keeps it beside the body (saves a conversion). */
  readonly contentLength?: string | undefined
}

export const jsonType = 'application/json'

/** A JSON answer, serialized now. */
export function json(status: number, value: unknown, headers: readonly string[] = []): Answer {
  return { status, headers: ['Content-Type', jsonType, ...headers], body: Buffer.from(JSON.stringify(value)) }
}

/** An answer without a body (204, 304). */
export function empty(status: number, headers: readonly string[] = []): Answer {
  return { status, headers, body: null }
}

/**
 * Writes the answer: the middleware's headers, the answer's, Content-Length; no body for HEAD (Node
 * drops it and keeps the length, as HTTP wants).
 */
export function writeAnswer(res: ServerResponse, c: Context, answer: Answer): void {
  // The request's own list takes the answer's headers: no new array per request (an answer is shared).
  const headers = c.responseHeaders
  for (let i = 0; i < answer.headers.length; i++) headers.push(answer.headers[i] as string)
  if (answer.body !== null) headers.push('Content-Length', answer.contentLength ?? String(answer.body.length))
  res.writeHead(answer.status, headers)
  if (answer.body === null) res.end()
  else res.end(answer.body)
}

/** Whether a value is an Answer (a route helper returns either its result or the error answer). */
export function isAnswer(value: unknown): value is Answer {
  return (
    typeof value === 'object' && value !== null && 'status' in value && 'headers' in value && 'body' in value
  )
}

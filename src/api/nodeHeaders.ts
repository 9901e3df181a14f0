import type { Context } from 'hono'

/**
 * Header access that keeps a request on @hono/node-server's fast path. `c.req.header()` builds a WHATWG
 * Headers object from the Node request, and `c.header()` one for the answer: each costs more than the
 * rest of a /predict answer. On Node these read Node's already-parsed headers and write to the
 * ServerResponse (whose `writeHead` merges them); elsewhere (app.request in unit tests) they fall back
 * to Hono's own.
 */

type NodeBindings = {
  incoming?: { headers: Record<string, string | string[] | undefined> }
  outgoing?: { setHeader(name: string, value: string): unknown; headersSent?: boolean }
}

/** A request header (lower-case name); the first value when repeated. */
export function requestHeader(c: Context, lowerCaseName: string): string | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming
  if (incoming?.headers) {
    const value = incoming.headers[lowerCaseName]
    return Array.isArray(value) ? value[0] : value
  }
  return c.req.header(lowerCaseName)
}

/** Sets a header on the answer from a middleware, before the handler runs. */
export function setResponseHeader(c: Context, name: string, value: string): void {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing
  if (outgoing && typeof outgoing.setHeader === 'function') {
    if (!outgoing.headersSent) outgoing.setHeader(name, value)
  } else c.header(name, value)
}

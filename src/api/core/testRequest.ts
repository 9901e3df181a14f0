import type { IncomingMessage } from 'node:http'
import { type Context, createContext } from './context.js'

/**
 * A Context for middleware unit tests, from a request described by its method, target, headers and
 * peer address (a stand-in for Node's IncomingMessage: only the fields the API reads). The API's
 * integration tests use real HTTP.
 */
export function testContext({
  method = 'GET',
  target = '/',
  headers = {},
  remoteAddress = '127.0.0.1',
  now = 1_800_000_000_000,
}: {
  method?: string
  target?: string
  headers?: Record<string, string>
  remoteAddress?: string
  now?: number
} = {}): Context {
  const req = {
    method,
    url: target,
    rawHeaders: Object.entries(headers).flat(),
    socket: { remoteAddress },
  } as unknown as IncomingMessage
  return createContext(req, now)
}

/** The headers a context's answer would carry from middleware, as an object (last value wins). */
export function responseHeadersOf(c: Context): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < c.responseHeaders.length; i += 2)
    out[c.responseHeaders[i] as string] = c.responseHeaders[i + 1] as string
  return out
}

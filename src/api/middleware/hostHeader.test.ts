import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createContext } from '../core/context.js'
import { testContext } from '../core/testRequest.js'
import { hostHeader } from './hostHeader.js'

describe('hostHeader', () => {
  const step = hostHeader()
  it.each(['feecast.example', 'feecast.example:8080', '127.0.0.1:80', '[::1]:8080', 'localhost'])(
    'lets %s in',
    (host) => {
      expect(step(testContext({ headers: { Host: host } }))).toBeUndefined()
    },
  )
  it.each([undefined, '', 'a b', 'x/y', 'host:port', '[::1'])('answers 400 to %j', (host) => {
    const c = testContext({ headers: host === undefined ? {} : { Host: host } })
    const answer = step(c)
    expect(answer?.status).toBe(400)
    expect(JSON.parse(String(answer?.body))).toMatchObject({ error: { code: 'bad_request' } })
  })
  it('answers 400 to a request with two Host lines, even the same twice (RFC 9112 §3.2)', () => {
    for (const second of ['b.example', 'a.example']) {
      const req = {
        method: 'GET',
        url: '/',
        rawHeaders: ['Host', 'a.example', 'host', second],
        socket: { remoteAddress: '127.0.0.1' },
      } as unknown as IncomingMessage
      expect(step(createContext(req, 0))?.status).toBe(400)
    }
  })
})

import { describe, expect, it } from 'vitest'
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
})

import { describe, expect, it } from 'vitest'
import { readRequestHeaders } from './requestHeaders.js'

describe('readRequestHeaders', () => {
  it('reads the headers the API uses, whatever their case, and nothing else', () => {
    expect(
      readRequestHeaders([
        'Host',
        'a.test',
        'ORIGIN',
        'https://w.example',
        'If-None-Match',
        'W/"x"',
        'Accept',
        '*/*',
        'User-Agent',
        'ua',
      ]),
    ).toEqual({ host: 'a.test', origin: 'https://w.example', ifNoneMatch: 'W/"x"' })
  })
  it('joins repeated headers as Node does (Host too), but keeps the first Authorization', () => {
    expect(
      readRequestHeaders([
        'X-Request-Id',
        'a',
        'x-request-id',
        'b',
        'Authorization',
        'Bearer 1',
        'authorization',
        'Bearer 2',
        'Host',
        'one',
        'Host',
        'two',
        'X-Forwarded-For',
        '1.1.1.1',
        'X-Forwarded-For',
        '2.2.2.2',
      ]),
    ).toEqual({
      requestId: 'a, b',
      authorization: 'Bearer 1',
      host: 'one, two',
      forwardedFor: '1.1.1.1, 2.2.2.2',
    })
  })
})

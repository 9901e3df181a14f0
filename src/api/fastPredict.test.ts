import { describe, expect, it } from 'vitest'
import { readHeaders } from './fastPredict.js'

describe('readHeaders', () => {
  it('reads the headers the fast path needs, whatever their case, and passes over the rest', () => {
    expect(
      readHeaders([
        'Host',
        'x',
        'If-None-Match',
        'W/"1"',
        'ORIGIN',
        'https://w.example',
        'x-request-id',
        'abc',
        'X-Forwarded-For',
        '1.2.3.4',
        'Accept',
        '*/*',
      ]),
    ).toEqual({
      ifNoneMatch: 'W/"1"',
      origin: 'https://w.example',
      requestId: 'abc',
      forwardedFor: '1.2.3.4',
    })
    expect(readHeaders(['Host', 'x'])).toEqual({
      ifNoneMatch: undefined,
      origin: undefined,
      requestId: undefined,
      forwardedFor: undefined,
    })
  })
  it('hands over (undefined) a request with a body or a repeated header it reads', () => {
    expect(readHeaders(['Content-Length', '0'])).toBeUndefined()
    expect(readHeaders(['transfer-encoding', 'chunked'])).toBeUndefined()
    expect(readHeaders(['If-None-Match', 'a', 'if-none-match', 'b'])).toBeUndefined()
    expect(readHeaders(['Origin', 'a', 'Origin', 'b'])).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import { requestLimits } from './requestLimits.js'
import { appWith } from './testEdge.js'

const app = appWith([requestLimits({ maxBodyBytes: 10, maxUrlLength: 50 })], { '/x': (c) => c.text('ok') })

describe('requestLimits', () => {
  it('lets small requests through', async () => {
    expect((await app.request('/x?a=1')).status).toBe(200)
    const ten = { method: 'POST', body: '0123456789', headers: { 'content-length': '10' } }
    expect((await app.request('/x', ten)).status).toBe(200)
  })
  it('answers 413 to a body over the limit, declared or chunked', async () => {
    const declared = await app.request('/x', {
      method: 'POST',
      body: '01234567890',
      headers: { 'content-length': '11' },
    })
    expect(declared.status).toBe(413)
    expect(await declared.json()).toMatchObject({ error: { status: 413, code: 'payload_too_large' } })
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('0123456'))
        c.enqueue(new TextEncoder().encode('789abc'))
        c.close()
      },
    })
    const chunked = await app.request('/x', {
      method: 'POST',
      body: stream,
      headers: { 'transfer-encoding': 'chunked' },
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
  })
  it('answers 413 to a nonsense Content-Length', async () => {
    expect((await app.request('/x', { method: 'POST', headers: { 'content-length': 'lots' } })).status).toBe(
      413,
    )
  })
  it('answers 414 to a request target over the limit', async () => {
    const r = await app.request(`/x?${'a'.repeat(60)}`)
    expect(r.status).toBe(414)
    expect(await r.json()).toMatchObject({ error: { code: 'uri_too_long' } })
  })
})

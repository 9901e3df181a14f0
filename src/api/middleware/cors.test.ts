import { describe, expect, it } from 'vitest'
import { cors } from './cors.js'
import { appWith } from './testEdge.js'

const appFor = (origins: '*' | string[]) =>
  appWith([cors({ origins, allowHeaders: ['If-None-Match'], exposeHeaders: ['ETag', 'X-Request-Id'] })], {
    '/x': (c) => c.json({ ok: true }),
  })

describe('cors', () => {
  it('allows any origin with *, and exposes the headers a wallet reads', async () => {
    const r = await appFor('*').request('/x', { headers: { Origin: 'https://wallet.example' } })
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
    expect(r.headers.get('access-control-expose-headers')).toBe('ETag, X-Request-Id')
  })
  it('with a list, echoes allowed origins only and varies on Origin', async () => {
    const app = appFor(['https://a.example'])
    const ok = await app.request('/x', { headers: { Origin: 'https://a.example' } })
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://a.example')
    expect(ok.headers.get('vary')).toBe('Origin')
    const no = await app.request('/x', { headers: { Origin: 'https://evil.example' } })
    expect(no.headers.get('access-control-allow-origin')).toBeNull()
    expect(no.status).toBe(200)
  })
  it('answers a preflight with 204, the methods and the allowed requested headers', async () => {
    const r = await appFor('*').request('/x', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://w.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'if-none-match, x-evil',
      },
    })
    expect(r.status).toBe(204)
    expect(r.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS')
    expect(r.headers.get('access-control-allow-headers')).toBe('if-none-match')
    expect(r.headers.get('access-control-max-age')).toBe('86400')
  })
  it('puts its headers on error answers too', async () => {
    const r = await appFor('*').request('/nope', { headers: { Origin: 'https://w.example' } })
    expect(r.status).toBe(404)
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
  })
})

import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { trustedProxies } from '../../lib/trustedProxies.js'
import type { ApiEnv } from '../env.js'
import { clientAddress, rateLimit } from './rateLimit.js'
import { appWith } from './testEdge.js'

const setup = (perSecond: number, burst: number) => {
  let now = 1_000_000
  const limit = rateLimit({
    perSecond,
    burst,
    keyOf: (c) => c.req.header('x-client') ?? 'anon',
    skip: (c) => c.req.path === '/healthz',
    now: () => now,
  })
  const app = appWith([limit], { '/x': (c) => c.text('ok'), '/healthz': (c) => c.text('ok') })
  return { app, tick: (ms: number) => (now += ms) }
}
const get = (app: Hono<ApiEnv>, client = 'a', path = '/x') =>
  app.request(path, { headers: { 'x-client': client } })

describe('rateLimit', () => {
  it('lets a burst through, then answers 429 with Retry-After and a JSON error', async () => {
    const { app } = setup(1, 3)
    for (let i = 0; i < 3; i++) expect((await get(app)).status).toBe(200)
    const r = await get(app)
    expect(r.status).toBe(429)
    expect(r.headers.get('retry-after')).toBe('1')
    expect(await r.json()).toMatchObject({ error: { status: 429, code: 'rate_limited' } })
  })
  it('refills at the sustained rate', async () => {
    const { app, tick } = setup(2, 2)
    await get(app)
    await get(app)
    expect((await get(app)).status).toBe(429)
    tick(500)
    expect((await get(app)).status).toBe(200)
    expect((await get(app)).status).toBe(429)
  })
  it('counts each client apart and skips what it is told to', async () => {
    const { app } = setup(1, 1)
    expect((await get(app, 'a')).status).toBe(200)
    expect((await get(app, 'a')).status).toBe(429)
    expect((await get(app, 'b')).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await get(app, 'a', '/healthz')).status).toBe(200)
  })
  it('is off at 0 per second', async () => {
    const { app } = setup(0, 1)
    for (let i = 0; i < 10; i++) expect((await get(app)).status).toBe(200)
  })
  it('believes X-Forwarded-For only from a trusted proxy, and takes its rightmost untrusted entry', async () => {
    const seen: string[] = []
    const proxies = trustedProxies(['127.0.0.1', '10.0.0.0/8'])
    const app = new Hono<ApiEnv>().get('/', (c) => {
      seen.push(clientAddress(c, proxies), clientAddress(c, trustedProxies([])))
      return c.text('')
    })
    const request = (remoteAddress: string, forwarded: string) =>
      app.request('/', {}, {
        incoming: { headers: { 'x-forwarded-for': forwarded }, socket: { remoteAddress } },
      } as never)
    // Through two proxies of ours: the client is the address the outer one saw.
    await request('::ffff:127.0.0.1', '6.6.6.6, 203.0.113.7, 10.1.2.3')
    // From a peer that is not a proxy: its header is the client's own claim, not believed.
    await request('198.51.100.9', '6.6.6.6, 10.0.0.1')
    expect(seen).toEqual(['203.0.113.7', '::ffff:127.0.0.1', '198.51.100.9', '198.51.100.9'])
  })
})

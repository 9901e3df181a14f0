import { describe, expect, it } from 'vitest'
import { createIdGenerator, requestId } from './requestId.js'
import { appWith } from './testEdge.js'

const app = appWith([requestId()], { '/': (c) => c.text(c.get('requestId')) })

describe('requestId', () => {
  it('gives each request a fresh id, in the header and the context', async () => {
    const a = await app.request('/')
    const b = await app.request('/')
    expect(a.headers.get('x-request-id')).toBe(await a.text())
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'))
  })
  it("keeps a caller's sane id and replaces anything else", async () => {
    expect(
      (await app.request('/', { headers: { 'X-Request-Id': 'trace-42.a:b' } })).headers.get('x-request-id'),
    ).toBe('trace-42.a:b')
    for (const bad of ['has space', 'x'.repeat(65), '<script>', 'a/b', '{"json":1}']) {
      const id = (await app.request('/', { headers: { 'X-Request-Id': bad } })).headers.get('x-request-id')
      expect(id).not.toBe(bad)
      expect(id).toMatch(/^[0-9a-z]{6}-[0-9a-z]+$/)
    }
  })
  it('generates short unique ids', () => {
    const next = createIdGenerator()
    const ids = new Set(Array.from({ length: 1000 }, next))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{6}-[0-9a-z]+$/)
  })
})

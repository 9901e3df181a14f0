import { contractHeader, contractVersion } from '@feecast/client'
import { describe, expect, it } from 'vitest'
import { contract } from './contract.js'
import { appWith } from './testEdge.js'

describe('contract', () => {
  it('states the contract version on answers, on answers a later step makes, and on 404s', async () => {
    const refuse = (c: Parameters<Parameters<typeof appWith>[0][number]>[0]) =>
      c.req.path === '/refused' ? c.json({ error: 'no' }, 429) : undefined
    const app = appWith([contract(), refuse], {
      '/x': (c) => c.json({ ok: true }),
      '/refused': (c) => c.json({ ok: true }),
    })
    for (const [path, status] of [
      ['/x', 200],
      ['/refused', 429],
      ['/missing', 404],
    ] as const) {
      const response = await app.request(path)
      expect(response.status).toBe(status)
      expect(response.headers.get(contractHeader)).toBe(contractVersion)
    }
  })
})

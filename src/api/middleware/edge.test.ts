import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { ApiEnv } from '../env.js'
import { createEdge, type Observed, type Step } from './edge.js'

const onError = (_e: unknown, c: { json: (b: unknown, s: 500) => Response }) => c.json({ error: 'boom' }, 500)

describe('createEdge', () => {
  it('runs the steps in order, stops at the first answer, then the handler; observers see every answer', async () => {
    const order: string[] = []
    const seen: Observed[] = []
    const step =
      (name: string, answer?: number): Step =>
      (c) => {
        order.push(name)
        return answer === undefined ? undefined : c.text(name, answer as 429)
      }
    const edge = createEdge({ steps: [step('a'), step('b')], observers: [(_c, o) => seen.push(o)], onError })
    const stopped = createEdge({ steps: [step('a'), step('stop', 429), step('never')], onError })
    const app = new Hono<ApiEnv>()
      .get(
        '/x',
        edge('/x', (c) => c.text('handler')),
      )
      .get(
        '/stop',
        stopped('/stop', (c) => c.text('handler')),
      )
    expect(await (await app.request('/x')).text()).toBe('handler')
    expect(order).toEqual(['a', 'b'])
    order.length = 0
    const r = await app.request('/stop')
    expect([r.status, await r.text()]).toEqual([429, 'stop'])
    expect(order).toEqual(['a', 'stop'])
    expect(seen).toEqual([{ route: '/x', status: 200, durationSeconds: expect.any(Number) }])
  })

  it('answers synchronously when the handler does (the adapter fast path), and awaits async handlers', async () => {
    const edge = createEdge({ steps: [], onError })
    const c = { text: (t: string) => new Response(t) } as never
    expect(
      edge('/s', (ctx) => (ctx as unknown as { text: (t: string) => Response }).text('sync'))(c),
    ).toBeInstanceOf(Response)
    const later = edge('/a', async () => new Response('async'))(c)
    expect(later).toBeInstanceOf(Promise)
    expect(await (await later).text()).toBe('async')
  })

  it('turns a throw, sync or async, into the onError answer, observed', async () => {
    const seen: number[] = []
    const edge = createEdge({ steps: [], observers: [(_c, o) => seen.push(o.status)], onError })
    const app = new Hono<ApiEnv>()
      .get(
        '/sync',
        edge('/sync', () => {
          throw new Error('x')
        }),
      )
      .get(
        '/async',
        edge('/async', async () => {
          throw new Error('y')
        }),
      )
    expect((await app.request('/sync')).status).toBe(500)
    expect((await app.request('/async')).status).toBe(500)
    expect(seen).toEqual([500, 500])
  })
})

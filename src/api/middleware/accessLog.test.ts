import { Writable } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { testContext } from '../core/testRequest.js'
import { accessLog } from './accessLog.js'
import { requestId } from './requestId.js'

describe('accessLog', () => {
  it('logs request id, route, path without the query, status; successes only at debug', async () => {
    const lines: Record<string, unknown>[] = []
    const sink = new Writable({
      write(chunk, _e, done) {
        lines.push(JSON.parse(chunk.toString()))
        done()
      },
    })
    const request = (level: string, target: string, route: string, status: number) => {
      const c = testContext({ target })
      requestId()(c)
      c.route = route
      accessLog(pino({ level }, sink))(c, { status, durationSeconds: 0.0012 })
    }
    request('info', '/predict?chainId=1&apikey=SECRET', '/predict', 200)
    request('info', '/bad?apikey=SECRET', 'unmatched', 400)
    request('debug', '/predict?apikey=SECRET', '/predict', 200)
    await new Promise((r) => setImmediate(r))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({
      level: 30,
      method: 'GET',
      route: 'unmatched',
      path: '/bad',
      status: 400,
      ms: 1.2,
    })
    expect(lines[0]?.reqId).toMatch(/-/)
    expect(lines[1]).toMatchObject({ level: 20, route: '/predict', status: 200 })
    expect(JSON.stringify(lines)).not.toContain('SECRET')
  })

  it('writes at most its budget of failed requests a minute, then one line with how many were left out', async () => {
    const lines: Record<string, unknown>[] = []
    const sink = new Writable({
      write(chunk, _e, done) {
        lines.push(JSON.parse(chunk.toString()))
        done()
      },
    })
    let t = 0
    const observe = accessLog(pino({ level: 'info' }, sink), { failuresPerMinute: 5, now: () => t })
    for (let i = 0; i < 1_000; i++)
      observe(testContext({ target: `/nope/${i}` }), { status: 404, durationSeconds: 0 })
    t = 60_000
    observe(testContext({ target: '/nope/last' }), { status: 404, durationSeconds: 0 })
    // A 503 in the flood of 404s is still written: the server's errors have their own budget.
    observe(testContext({ target: '/predict' }), { status: 503, durationSeconds: 0 })
    await new Promise((r) => setImmediate(r))
    expect(lines.filter((l) => l.msg === 'request' && l.status === 404)).toHaveLength(6)
    expect(lines.filter((l) => l.msg === 'request' && l.status === 503)).toHaveLength(1)
    expect(lines.find((l) => l.msg !== 'request')).toMatchObject({
      level: 40,
      suppressed: 995,
      seconds: 60,
      kind: '4xx',
    })
  })
})

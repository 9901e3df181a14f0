import { Writable } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { accessLog } from './accessLog.js'
import { requestId } from './requestId.js'
import { appWith } from './testEdge.js'

describe('accessLog', () => {
  it('logs request id, route, path without the query, status; successes only at debug', async () => {
    const lines: Record<string, unknown>[] = []
    const sink = new Writable({
      write(chunk, _e, done) {
        lines.push(JSON.parse(chunk.toString()))
        done()
      },
    })
    const app = (level: string) =>
      appWith([requestId()], { '/predict': (c) => c.text('ok'), '/bad': (c) => c.text('no', 400) }, [
        accessLog(pino({ level }, sink)),
      ])
    await app('info').request('/predict?chainId=1&apikey=SECRET')
    await app('info').request('/bad?apikey=SECRET')
    await app('debug').request('/predict?apikey=SECRET')
    await new Promise((r) => setImmediate(r))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/bad',
      path: '/bad',
      status: 400,
      msg: 'request',
    })
    expect(lines[0]!.reqId).toMatch(/-/)
    expect(lines[1]).toMatchObject({ level: 20, route: '/predict', status: 200 })
    expect(JSON.stringify(lines)).not.toContain('SECRET')
  })
})

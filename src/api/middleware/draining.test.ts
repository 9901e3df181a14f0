import { describe, expect, it } from 'vitest'
import { draining } from './draining.js'
import { appWith } from './testEdge.js'

describe('draining', () => {
  it('says Connection: close once shutdown has begun', async () => {
    let drainingNow = false
    const app = appWith([draining(() => drainingNow)], { '/': (c) => c.text('ok') })
    expect((await app.request('/')).headers.get('connection')).toBeNull()
    drainingNow = true
    expect((await app.request('/')).headers.get('connection')).toBe('close')
  })
})

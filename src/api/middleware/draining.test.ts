import { describe, expect, it } from 'vitest'
import { responseHeadersOf, testContext } from '../core/testRequest.js'
import { draining } from './draining.js'

describe('draining', () => {
  it('closes connections only while draining', () => {
    let on = false
    const step = draining(() => on)
    const before = testContext()
    step(before)
    expect(responseHeadersOf(before).Connection).toBeUndefined()
    on = true
    const after = testContext()
    step(after)
    expect(responseHeadersOf(after).Connection).toBe('close')
  })
})

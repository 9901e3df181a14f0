import { describe, expect, it } from 'vitest'
import type { ObserveHttpRequestParameters } from '../../metrics/metrics.js'
import { testContext } from '../core/testRequest.js'
import { httpMetrics } from './httpMetrics.js'

describe('httpMetrics', () => {
  it('labels with the route pattern the request matched, never its raw path', () => {
    const seen: ObserveHttpRequestParameters[] = []
    const observe = httpMetrics((p) => seen.push(p))
    const matched = testContext({ target: '/networks/12345/suggestedGasFees' })
    matched.route = '/networks/:chainId/suggestedGasFees'
    observe(matched, { status: 200, durationSeconds: 0.001 })
    observe(testContext({ target: '/secret-token-in-path' }), { status: 404, durationSeconds: 0.002 })
    expect(seen).toEqual([
      { route: '/networks/:chainId/suggestedGasFees', method: 'GET', status: 200, durationSeconds: 0.001 },
      { route: 'unmatched', method: 'GET', status: 404, durationSeconds: 0.002 },
    ])
  })
})

import { describe, expect, it } from 'vitest'
import type { ObserveHttpRequestParameters } from '../../metrics/metrics.js'
import { httpMetrics } from './httpMetrics.js'
import { appWith } from './testEdge.js'

describe('httpMetrics', () => {
  it('labels with the route pattern, never the raw path, and unmatched for the rest', async () => {
    const seen: ObserveHttpRequestParameters[] = []
    const app = appWith(
      [],
      {
        '/networks/:chainId/suggestedGasFees': (c) => c.text('ok'),
        '/boom': () => {
          throw new Error('boom')
        },
      },
      [httpMetrics((p) => seen.push(p))],
    )
    await app.request('/networks/12345/suggestedGasFees')
    await app.request('/secret-token-in-path')
    await app.request('/boom')
    expect(seen.map(({ route, method, status }) => [route, method, status])).toEqual([
      ['/networks/:chainId/suggestedGasFees', 'GET', 200],
      ['unmatched', 'GET', 404],
      ['/boom', 'GET', 500],
    ])
    expect(seen.every((p) => p.durationSeconds >= 0 && p.durationSeconds < 1)).toBe(true)
  })
})

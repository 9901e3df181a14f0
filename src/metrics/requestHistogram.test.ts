import client from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createRequestHistogram } from './requestHistogram.js'

const labelNames = ['http_route', 'http_request_method', 'http_response_status_code'] as const
const buckets = [0.001, 0.005, 0.025, 0.1, 1]
const observations: Array<[route: string, status: string, seconds: number]> = [
  ['/predict', '200', 0.0004],
  ['/predict', '200', 0.001], // on a bound: counted in it (le is "less or equal")
  ['/predict', '200', 0.0031],
  ['/predict', '304', 0.2],
  ['/networks/:chainId/suggestedGasFees', '200', 7],
  ['/predict', '200', 0.0999],
]

/** The same observations in prom-client's own Histogram and in ours, each in a registry of its own. */
async function both() {
  const reference = new client.Registry()
  const ours = new client.Registry()
  const histogram = new client.Histogram({
    name: 'd',
    help: 'h',
    labelNames,
    buckets,
    registers: [reference],
  })
  const fast = createRequestHistogram({ name: 'd', help: 'h', labelNames, buckets, registers: [ours] })
  for (const [route, status, seconds] of observations) {
    const labels = { http_route: route, http_request_method: 'GET', http_response_status_code: status }
    histogram.labels(labels).observe(seconds)
    fast.child(labels)(seconds)
  }
  return { reference, ours, fast }
}

describe('createRequestHistogram', () => {
  it("exposes the same text as prom-client's Histogram", async () => {
    const { reference, ours } = await both()
    const text = await ours.metrics()
    expect(text).toBe(await reference.metrics())
    expect(text).toContain(
      'd_bucket{le="0.001",http_route="/predict",http_request_method="GET",http_response_status_code="200"} 2',
    )
  })

  it('gives the same JSON, and resets to zero', async () => {
    const { reference, ours, fast } = await both()
    expect(await ours.getMetricsAsJSON()).toEqual(await reference.getMetricsAsJSON())
    fast.reset()
    const [metric] = await ours.getMetricsAsJSON()
    expect(metric?.values.every((v) => v.value === 0)).toBe(true)
  })

  it('gives one observer per label set', () => {
    const fast = createRequestHistogram({ name: 'x', help: 'h', labelNames, buckets, registers: [] })
    const labels = { http_route: '/', http_request_method: 'GET', http_response_status_code: '200' }
    expect(fast.child(labels)).toBe(fast.child({ ...labels }))
    expect(fast.child(labels)).not.toBe(fast.child({ ...labels, http_response_status_code: '404' }))
  })
})

import { metricsContentType, renderMetrics } from '../../metrics/metrics.js'
import type { RouteDefinition } from '../core/route.js'
import { z } from '../zod.js'

/** GET /metrics: Prometheus text. Not rate limited (Prometheus scrapes it). */
export function metricsRoute(): RouteDefinition {
  return {
    openapi: {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      responses: {
        200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: z.string() } } },
      },
    },
    limited: false,
    handler: async () => ({
      status: 200,
      headers: ['Content-Type', metricsContentType, 'Cache-Control', 'no-store'],
      body: Buffer.from(await renderMetrics()),
    }),
  }
}

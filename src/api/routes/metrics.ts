import { metricsContentType, renderMetrics } from '../../metrics/metrics.js'
import type { Answer } from '../core/answer.js'
import type { RouteDefinition } from '../core/route.js'
import { z } from '../zod.js'

/**
 * GET /metrics: Prometheus text, secrets redacted. Rendered at most once a second and shared by whoever
 * asks meanwhile (several Prometheus replicas, or a flood): a render costs what many wallets' answers
 * do. Rate limited apart from the wallets' routes (app.ts).
 */
export function metricsRoute({
  now,
  redact,
}: {
  now: () => number
  redact: (text: string) => string
}): RouteDefinition {
  let rendered: { at: number; answer: Promise<Answer> } | undefined
  const render = async (): Promise<Answer> => ({
    status: 200,
    headers: ['Content-Type', metricsContentType, 'Cache-Control', 'no-store'],
    body: Buffer.from(redact(await renderMetrics())),
  })
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
    handler: () => {
      const t = now()
      if (rendered === undefined || t - rendered.at >= 1_000 || t < rendered.at) {
        const answer = render()
        rendered = { at: t, answer }
        answer.catch(() => {
          if (rendered?.answer === answer) rendered = undefined
        })
      }
      return rendered.answer
    },
  }
}

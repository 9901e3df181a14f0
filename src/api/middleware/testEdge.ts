import { Hono } from 'hono'
import type { ApiEnv } from '../env.js'
import { createEdge, type Handler, type Observer, type Step } from './edge.js'

/** A Hono app serving `routes` behind `steps` and `observers` (for the middleware tests). */
export function appWith(
  steps: Step[],
  routes: Record<string, Handler>,
  observers: Observer[] = [],
): Hono<ApiEnv> {
  const edge = createEdge({ steps, observers, onError: (_e, c) => c.json({ error: 'internal' }, 500) })
  const app = new Hono<ApiEnv>()
  for (const [path, handler] of Object.entries(routes)) app.all(path, edge(path, handler))
  app.notFound(edge('unmatched', (c) => c.json({ error: 'nf' }, 404)) as never)
  return app
}

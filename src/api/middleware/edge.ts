import type { Context } from 'hono'
import type { ApiEnv } from '../env.js'

/**
 * The API's middleware, run synchronously around each handler. A Hono `app.use()` middleware makes
 * every answer a Promise, which takes @hono/node-server off its synchronous fast path (a close listener
 * and an await chain per request): measured, one no-op middleware cost as much as all of the /predict
 * handler. So middleware here is two kinds of small function, each in its own module:
 *
 * - a `Step` runs before the handler and either answers (a Response: 413, 429, a CORS preflight) or
 *   lets the request through (undefined), setting headers or context variables on the way;
 * - an `Observer` sees the answer afterwards (metrics, access log).
 *
 * `createEdge` composes them once; `edge(route, handler)` wraps one handler, `route` being its
 * pattern (the bounded label observers use) or 'unmatched'.
 */
export type Step = (c: Context<ApiEnv>) => Response | undefined
export type Observer = (c: Context<ApiEnv>, answer: Observed) => void
export type Observed = { route: string; status: number; durationSeconds: number }
export type Handler = (c: Context<ApiEnv>) => Response | Promise<Response>

export type CreateEdgeParameters = {
  steps: readonly Step[]
  observers?: readonly Observer[]
  /** Turns an error thrown by a step or handler into the answer (a 500). */
  onError: (error: unknown, c: Context<ApiEnv>) => Response
}

export function createEdge({ steps, observers = [], onError }: CreateEdgeParameters) {
  return (route: string, handler: Handler) =>
    (c: Context<ApiEnv>): Response | Promise<Response> => {
      const start = performance.now()
      const observe = (response: Response): Response => {
        const answer = { route, status: response.status, durationSeconds: (performance.now() - start) / 1000 }
        for (const observer of observers) observer(c, answer)
        return response
      }
      let result: Response | Promise<Response> | undefined
      try {
        for (const step of steps) {
          result = step(c)
          if (result !== undefined) break
        }
        result ??= handler(c)
      } catch (error) {
        return observe(onError(error, c))
      }
      if (result instanceof Promise)
        return result.then(observe, (error: unknown) => observe(onError(error, c)))
      return observe(result)
    }
}

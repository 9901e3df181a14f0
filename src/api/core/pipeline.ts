import type { ServerResponse } from 'node:http'
// Imported, not the global: Node's global `performance` is a getter, read through an IC miss on every request.
import { performance } from 'node:perf_hooks'
import { type Answer, writeAnswer } from './answer.js'
import type { Context } from './context.js'

/**
 * The API's request path, in hono's style but on Node's request and response: middleware are small
 * synchronous functions, each its own module with its test.
 *
 * - a `Step` runs before the route: it answers (413, 429, a CORS preflight) or lets the request on,
 *   setting headers or the request id on the way;
 * - the route's `Handler` answers;
 * - an `Observer` sees the outcome afterwards (metrics, the access log).
 *
 * Synchronous, because an async step costs a promise and a tick on every request; a handler may be
 * async when it must be (/metrics).
 */
export type Step = (c: Context) => Answer | undefined
export type Handler = (c: Context) => Answer | Promise<Answer>
export type Outcome = { status: number; durationSeconds: number }
export type Observer = (c: Context, outcome: Outcome) => void

export type CreatePipelineParameters = {
  steps: readonly Step[]
  observers?: readonly Observer[]
  /** Turns an error thrown by a step or a handler into the answer (a 500). */
  onError: (error: unknown, c: Context) => Answer
}

export type Pipeline = (c: Context, handler: Handler, res: ServerResponse) => void

export function createPipeline({ steps, observers = [], onError }: CreatePipelineParameters): Pipeline {
  const finish = (c: Context, res: ServerResponse, answer: Answer) => {
    writeAnswer(res, c, answer)
    const outcome = { status: answer.status, durationSeconds: (performance.now() - c.startedAt) / 1000 }
    for (const observer of observers) observer(c, outcome)
  }
  return (c, handler, res) => {
    let answer: Answer | Promise<Answer> | undefined
    try {
      for (const step of steps) {
        answer = step(c)
        if (answer !== undefined) break
      }
      answer ??= handler(c)
    } catch (error) {
      answer = onError(error, c)
    }
    if (answer instanceof Promise)
      answer.then(
        (a) => finish(c, res, a),
        (error: unknown) => finish(c, res, onError(error, c)),
      )
    else finish(c, res, answer)
  }
}

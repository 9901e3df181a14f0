import type { HttpBindings } from '@hono/node-server'

/** The Hono environment of the API: Node's request/response as bindings, per-request variables. */
export type ApiEnv = {
  Bindings: HttpBindings
  Variables: {
    requestId: string
  }
}

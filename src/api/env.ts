import type { HttpBindings } from '@hono/node-server'

/** The Hono environment of the API: Node's request/response as bindings, per-request variables. */
export type ApiEnv = {
  Bindings: HttpBindings
  Variables: {
    requestId: string
    /** The id of the API key the request came with (API keys on), never the key. */
    apiKeyId?: string
  }
}

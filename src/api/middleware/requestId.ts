import { randomBytes } from 'node:crypto'
import { setHeader } from '../core/context.js'
import type { Step } from '../core/pipeline.js'

const acceptable = /^[A-Za-z0-9._:-]{1,64}$/

/** A counter-based id generator: `<6 random base36 chars>-<counter in base36>`. */
export function createIdGenerator(): () => string {
  const prefix = BigInt(`0x${randomBytes(4).toString('hex')}`)
    .toString(36)
    .padStart(6, '0')
    .slice(-6)
  let n = 0
  return () => `${prefix}-${(++n).toString(36)}`
}

/** The id of a request whose X-Request-Id header is `given`: that header when it is a sane token. */
export function requestIdFor(given: string | undefined, generate: () => string): string {
  return given !== undefined && acceptable.test(given) ? given : generate()
}

/**
 * Gives every request an id: the caller's `X-Request-Id` when it is a sane token (so a trace crosses a
 * proxy), a fresh one otherwise. Answered in the same header, kept in the context for error bodies and
 * every log line of the request.
 */
export function requestId({ generate = createIdGenerator() }: { generate?: () => string } = {}): Step {
  return (c) => {
    const id = requestIdFor(c.headers.requestId, generate)
    c.requestId = id
    setHeader(c, 'X-Request-Id', id)
    return undefined
  }
}

import { randomBytes } from 'node:crypto'
import { requestHeader, setResponseHeader } from '../nodeHeaders.js'
import type { Step } from './edge.js'

const acceptable = /^[A-Za-z0-9._:-]{1,64}$/

export type RequestIdParameters = {
  /** Makes a new id (default: a per-process prefix and a counter, unique and cheap). */
  generate?: () => string
  headerName?: string
}

/** A counter-based id generator: `<6 random base36 chars>-<counter in base36>`. */
export function createIdGenerator(): () => string {
  const prefix = BigInt(`0x${randomBytes(4).toString('hex')}`)
    .toString(36)
    .padStart(6, '0')
    .slice(-6)
  let n = 0
  return () => `${prefix}-${(++n).toString(36)}`
}

/**
 * Gives every request an id: the caller's `X-Request-Id` when it is a sane token (so a trace crosses a
 * proxy), a fresh one otherwise. Answered in the same header, put in the context (`requestId`) for
 * error bodies and in every log line of the request.
 */
export function requestId({
  generate = createIdGenerator(),
  headerName = 'X-Request-Id',
}: RequestIdParameters = {}): Step {
  const lowerName = headerName.toLowerCase()
  return (c) => {
    const id = requestIdFor(requestHeader(c, lowerName), generate)
    c.set('requestId', id)
    setResponseHeader(c, headerName, id)
    return undefined
  }
}

/** The id of a request whose X-Request-Id header is `given`: that header when it is a sane token. */
export function requestIdFor(given: string | undefined, generate: () => string): string {
  return given !== undefined && acceptable.test(given) ? given : generate()
}

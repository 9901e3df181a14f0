import type { Logger } from '../../lib/logger.js'
import type { Observer } from './edge.js'

export type RequestLine = {
  reqId: string | undefined
  /** The API key's id, when keys are on (never the key). */
  keyId?: string | undefined
  method: string
  /** Route pattern, or 'unmatched'. */
  route: string
  /** The path without its query string. */
  path: string
  status: number
  durationSeconds: number
}

/**
 * One structured line per request: request id, method, route pattern, path (never the query string,
 * which may carry a caller's secrets), status and duration. Server errors log at error, unavailability
 * (503: no or stale data) at warn, client errors at info, successes at debug (so a busy API does not
 * spend its time writing logs).
 */
export function logRequest(
  logger: Logger,
  { reqId, keyId, method, route, path, status, durationSeconds }: RequestLine,
) {
  const level = status === 503 ? 'warn' : status >= 500 ? 'error' : status >= 400 ? 'info' : 'debug'
  if (!logger.isLevelEnabled(level)) return
  logger[level](
    {
      reqId,
      ...(keyId === undefined ? {} : { keyId }),
      method,
      route,
      path: path.slice(0, 200),
      status,
      ms: Math.round(durationSeconds * 1e6) / 1000,
    },
    'request',
  )
}

/** The access log as an edge observer (see logRequest). */
export function accessLog(logger: Logger): Observer {
  return (c, { route, status, durationSeconds }) =>
    logRequest(logger, {
      reqId: c.get('requestId'),
      keyId: c.get('apiKeyId'),
      method: c.req.method,
      route,
      path: c.req.path,
      status,
      durationSeconds,
    })
}

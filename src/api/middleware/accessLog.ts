import type { Logger } from '../../lib/logger.js'
import type { Observer } from '../core/pipeline.js'

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

/** The access log as an observer (see logRequest). */
export function accessLog(logger: Logger): Observer {
  // Read once: a busy API answers successes at a level that is usually off.
  const successes = logger.isLevelEnabled('debug')
  return (c, { status, durationSeconds }) => {
    if (status < 400 && !successes) return
    logRequest(logger, {
      reqId: c.requestId,
      keyId: c.apiKeyId,
      method: c.method,
      route: c.route,
      path: c.path,
      status,
      durationSeconds,
    })
  }
}

import { createLogBudget, type LogBudget } from '../../lib/logBudget.js'
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

export type AccessLogParameters = {
  /** Lines of failed requests written per minute at most, for 4xx and 5xx each; the rest are counted (default 120). */
  failuresPerMinute?: number
  /** The clock of the budget (ms). */
  now?: () => number
}

/**
 * The access log as an observer (see logRequest). Failed requests are what a client can make at will (a
 * flood of 404s, wrong keys, over-limit 429s), so their lines are budgeted: past the budget they are
 * counted and summed up in one line a minute; the metrics count every request.
 */
export function accessLog(
  logger: Logger,
  { failuresPerMinute = 120, now = Date.now }: AccessLogParameters = {},
): Observer {
  // Read once: a busy API answers successes at a level that is usually off.
  const successes = logger.isLevelEnabled('debug')
  // One budget for the client's errors (4xx) and one for the server's (5xx): a flood of 404s must not
  // hide the 503s of a chain going stale.
  const budget = (kind: string): LogBudget =>
    createLogBudget({
      lines: failuresPerMinute,
      windowMs: 60_000,
      onSuppressed: (suppressed, windowMs) =>
        logger.warn(
          { suppressed, seconds: windowMs / 1000, kind },
          'failed requests not logged: over the log budget',
        ),
    })
  const clientErrors = budget('4xx')
  const serverErrors = budget('5xx')
  return (c, { status, durationSeconds }) => {
    if (status < 400 && !successes) return
    if (status >= 400 && !(status >= 500 ? serverErrors : clientErrors).take(now())) return
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

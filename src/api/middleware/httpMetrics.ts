import { type ObserveHttpRequestParameters, observeHttpRequest } from '../../metrics/metrics.js'
import type { Observer } from './edge.js'

/** Times every request into `http_server_request_duration_seconds` (route pattern, method, status). */
export function httpMetrics(
  observe: (p: ObserveHttpRequestParameters) => void = observeHttpRequest,
): Observer {
  return (c, { route, status, durationSeconds }) =>
    observe({ route, method: c.req.method, status, durationSeconds })
}

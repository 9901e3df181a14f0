import { type ObserveHttpRequestParameters, observeHttpRequest } from '../../metrics/metrics.js'
import type { Observer } from '../core/pipeline.js'

/** Times every request into `http_server_request_duration_seconds` (route pattern, method, status). */
export function httpMetrics(
  observe: (p: ObserveHttpRequestParameters) => void = observeHttpRequest,
): Observer {
  return (c, { status, durationSeconds }) =>
    observe({ route: c.route, method: c.method, status, durationSeconds })
}

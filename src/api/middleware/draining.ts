import { setHeader } from '../core/context.js'
import type { Step } from '../core/pipeline.js'

/**
 * While the server drains (shutdown), every answer says `Connection: close`, so keep-alive clients
 * open their next request elsewhere instead of on a socket about to close.
 */
export function draining(isDraining: () => boolean): Step {
  return (c) => {
    if (isDraining()) setHeader(c, 'Connection', 'close')
    return undefined
  }
}

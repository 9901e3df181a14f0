import { setResponseHeader } from '../nodeHeaders.js'
import type { Step } from './edge.js'

/**
 * While the server drains (shutdown), every answer says `Connection: close`, so keep-alive clients
 * open their next request elsewhere instead of on a socket about to close.
 */
export function draining(isDraining: () => boolean): Step {
  return (c) => {
    if (isDraining()) setResponseHeader(c, 'Connection', 'close')
    return undefined
  }
}

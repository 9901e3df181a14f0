import { contractHeader, contractVersion } from '@feecast/client'
import { setResponseHeader } from '../nodeHeaders.js'
import type { Step } from './edge.js'

/**
 * States the Prediction contract version this server speaks (`Feecast-Contract: <major.minor>`) on
 * every answer, errors and preflights included, so a client of another version can say so.
 */
export function contract(): Step {
  return (c) => {
    setResponseHeader(c, contractHeader, contractVersion)
    return undefined
  }
}

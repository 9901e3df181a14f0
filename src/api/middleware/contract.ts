import { contractHeader, contractVersion } from '@feecast/client'
import { setHeader } from '../core/context.js'
import type { Step } from '../core/pipeline.js'

/**
 * States the Prediction contract version this server speaks (`Feecast-Contract: <major.minor>`) on
 * every answer, errors and preflights included, so a client of another version can say so.
 */
export function contract(): Step {
  return (c) => {
    setHeader(c, contractHeader, contractVersion)
    return undefined
  }
}

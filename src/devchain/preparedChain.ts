import type { BlockSource } from './blockSources.js'
import type { DevBlock } from './devBlock.js'
import type { DevchainState } from './devchainState.js'
import type { InexactRow } from './planReplay.js'

/** A chain ready to serve, from prepareReplay or prepareSimulation: where blocks come from and how many exist at start. */
export type PreparedChain = {
  mode: 'simulate' | 'replay'
  source: BlockSource
  /** Blocks made before the server starts (beyond `resumeAfter`). */
  initial: number
  /** Unix seconds of the i-th block made at start (a replay uses its file's times and ignores it). */
  aheadOfTime: (index: number) => number
  /** A restarted simulation: the saved head, served again below the new blocks. */
  resumeAfter?: DevBlock | undefined
  /** A replay: the file, saved with the head so another file does not resume at its row. */
  replayIdentity?: DevchainState['replay']
  /** A replay: rows whose present cells cannot be served back exactly. */
  inexact: InexactRow[]
  /** For notices: the file and its blocks, or the simulation's seed. */
  describe: string
}

/** The saved state of the chain to continue, when it is this chain (same id and seed). */
export type SavedChain = DevchainState | undefined

export const nowSeconds = () => Math.floor(Date.now() / 1000)

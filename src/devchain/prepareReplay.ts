import type { Eip1559Parameters } from '../fees/nextBaseFee.js'
import { type HistoryColumn, HistoryFileError } from '../history/historyCsv.js'
import { readHistoryFile } from '../history/readHistoryFile.js'
import { mixSeed } from '../lib/random.js'
import type { HistoryRow } from '../types.js'
import { replaySource } from './blockSources.js'
import type { DevchainState } from './devchainState.js'
import { planReplay } from './planReplay.js'
import { nowSeconds, type PreparedChain, type SavedChain } from './preparedChain.js'

export type DevchainReplaySource =
  | string
  | { rows: readonly HistoryRow[]; presentColumns: readonly HistoryColumn[]; source?: string }

export type PrepareReplayParameters = {
  replay: DevchainReplaySource
  chainId: number
  seed: number
  eip1559: Eip1559Parameters
  /** Rows served at start, or 'all'. */
  history: number | 'all'
  /** Spacing of synthesized timestamps (default 12 s). */
  blockTime?: number | undefined
  /** Blocks come this many times faster than their timestamps say (default 1). */
  speed?: number | undefined
  gasLimit?: bigint | undefined
  initialBaseFeePerGas?: bigint | undefined
  /** The same chain saved by an earlier run: a replay of the same file resumes at the row it reached. */
  saved: SavedChain
  onNotice: (message: string) => void
}

/** The prepare-replay step: reads the file, plans every block it will serve, and where to start. */
export async function prepareReplay(parameters: PrepareReplayParameters): Promise<PreparedChain> {
  const { history, seed } = parameters
  const file = await readReplay(parameters.replay)
  const rows = file.rows
  const first = rows[0]
  const last = rows.at(-1)
  if (first === undefined || last === undefined)
    throw new HistoryFileError(file.source, undefined, 'the file has no blocks to replay')
  const blockTime = parameters.blockTime ?? 12
  const speed = parameters.speed ?? 1
  if (!(speed > 0)) throw new RangeError(`speed must be positive, not ${speed}`)
  const replayIdentity = { source: file.source, firstNumber: first.number, rows: rows.length }
  const initial = replayStart(rows, history, replayIdentity, parameters.saved)
  const plan = planReplay({
    rows,
    presentColumns: file.presentColumns,
    blockTime,
    // Without timestamps in the file, the blocks served at start end about now.
    firstTimestamp:
      nowSeconds() - Math.round(blockTime * ((rows[initial - 1]?.number ?? first.number) - first.number)),
    eip1559: parameters.eip1559,
    seed,
    ...(parameters.gasLimit === undefined ? {} : { gasLimit: parameters.gasLimit }),
    ...(parameters.initialBaseFeePerGas === undefined
      ? {}
      : { initialBaseFeePerGas: parameters.initialBaseFeePerGas }),
  })
  const firstInexact = plan.inexact[0]
  if (firstInexact)
    parameters.onNotice(
      `${plan.inexact.length} row(s) of ${file.source} cannot be served so that collect gives them back exactly, first: block ${firstInexact.number} (${firstInexact.reason})`,
    )
  return {
    mode: 'replay',
    source: replaySource({
      chainId: parameters.chainId,
      salt: mixSeed(seed, first.number, rows.length),
      plans: plan.blocks,
      speed,
    }),
    initial,
    aheadOfTime: () => nowSeconds(),
    replayIdentity,
    inexact: plan.inexact,
    describe: `${file.source} (blocks ${first.number}..${last.number}, ${rows.length} rows)`,
  }
}

async function readReplay(replay: DevchainReplaySource) {
  return typeof replay === 'string'
    ? { ...(await readHistoryFile(replay)), source: replay }
    : { source: 'replay', ...replay }
}

/** Rows served at start: `history` of them, or up to the row a run of the same file had reached. */
function replayStart(
  rows: readonly HistoryRow[],
  history: number | 'all',
  identity: NonNullable<DevchainState['replay']>,
  saved: SavedChain,
): number {
  if (history === 'all') return rows.length
  const initial = Math.min(rows.length, Math.max(1, history))
  if (saved?.mode !== 'replay' || JSON.stringify(saved.replay) !== JSON.stringify(identity)) return initial
  const at = rows.findIndex((r) => r.number === saved.head.number)
  return at >= 0 ? Math.max(initial, at + 1) : initial
}

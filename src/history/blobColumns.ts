import { type BlobFork, type BlobSchedule, blobForkAt } from '../chains/blobSchedule.js'
import { gasPerBlob } from '../fees/blobGas.js'
import { blobTransitionRule, excessBlobGasCandidates } from '../fees/nextExcessBlobGas.js'
import type { HistoryRow } from '../types.js'

/**
 * The blob cells of one row on their own: both or neither (they are two fields of one header), and blob gas
 * in whole blobs. Returns the problem, or null.
 */
export function checkBlobCells(row: HistoryRow): string | null {
  const used = row.blobGasUsed ?? null
  const excess = row.excessBlobGas ?? null
  if ((used === null) !== (excess === null))
    return `column "${used === null ? 'blob_gas_used' : 'excess_blob_gas'}" is empty but "${used === null ? 'excess_blob_gas' : 'blob_gas_used'}" is not: a block has both blob fields or neither`
  if (used !== null && used % gasPerBlob !== 0n)
    return `column "blob_gas_used" holds ${used}, not a whole number of blobs (${gasPerBlob} blob gas each)`
  return null
}

const describe = (fork: BlobFork) => `${fork.name} (target ${fork.target}, max ${fork.max} blobs)`

/**
 * Every row's blob cells against the chain's schedule: blob gas only from the first blob fork on, at most the
 * fork's max, and each excess one that a rule of the fork in force at the row's timestamp produces from its
 * parent (any fork of the schedule where the timestamp is unknown). Returns the first problem, by row index.
 */
export function checkBlobTransitions(
  rows: readonly HistoryRow[],
  schedule: BlobSchedule,
): { index: number; problem: string } | null {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]
    if (row?.blobGasUsed == null || row.excessBlobGas == null) continue
    let candidates: readonly BlobFork[] = schedule
    if (row.timestamp !== null) {
      const fork = blobForkAt(schedule, row.timestamp)
      if (!fork)
        return {
          index: i,
          problem: `column "blob_gas_used" is set at timestamp ${row.timestamp}, before the schedule's first blob fork${schedule[0] ? ` (${schedule[0].name} at ${schedule[0].activationTime})` : ' (the schedule has none)'}: pass the chain's schedule with --blob-schedule or --chain-id`,
        }
      candidates = [fork]
    }
    const largest = Math.max(0, ...candidates.map((f) => f.max))
    if (row.blobGasUsed > BigInt(largest) * gasPerBlob)
      return {
        index: i,
        problem: `column "blob_gas_used" holds ${row.blobGasUsed / gasPerBlob} blobs, more than the ${largest} a block may carry${candidates.length === 1 && candidates[0] ? ` under ${describe(candidates[0])}` : ''}`,
      }
    const parent = rows[i - 1]
    if (parent?.number !== row.number - 1 || parent.blobGasUsed == null || parent.excessBlobGas == null)
      continue
    const header = { excessBlobGas: parent.excessBlobGas, blobGasUsed: parent.blobGasUsed }
    const childExcess = row.excessBlobGas
    if (
      candidates.some(
        (parameters) => blobTransitionRule({ parent: header, parameters }, childExcess) !== null,
      )
    )
      continue
    const expected = candidates.map((parameters) => {
      const c = excessBlobGasCandidates({ parent: header, parameters })
      const values = c.floor
        ? '0'
        : c.reserve === null
          ? `${c.normal}`
          : `${c.normal} or ${c.reserve} (EIP-7918 reserve)`
      return `${values} under ${describe(parameters)}`
    })
    return {
      index: i,
      problem: `column "excess_blob_gas" holds ${childExcess}, which no blob rule produces from block ${parent.number} (excess ${parent.excessBlobGas}, blob gas used ${parent.blobGasUsed}): expected ${expected.join('; or ')}`,
    }
  }
  return null
}

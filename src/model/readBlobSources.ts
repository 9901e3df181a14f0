import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { BlobSchedule } from '../chains/blobSchedule.js'
import { type BlobSeries, blobSeriesRuns } from '../features/blobSeries.js'
import { HistoryFileError, parseHistoryCsv } from '../history/historyCsv.js'

export type BlobHistorySource = {
  name: string
  path: string
  sha256: string
  rows: number
  /** Runs of consecutive blob-carrying blocks. */
  series: BlobSeries[]
}

export type ReadBlobSourcesParameters = {
  paths: readonly string[]
  /** The chain's blob forks: every transition of every file is checked against them. */
  schedule: BlobSchedule
  onFile?: (name: string, rows: number) => void
}

/**
 * Reads history files for blob training or backtests: strict parsing, every blob transition checked against
 * the schedule (line-numbered errors), a content hash for the model card and in-sample warnings, and the runs
 * of blob-carrying blocks.
 */
export async function readBlobSources({
  paths,
  schedule,
  onFile,
}: ReadBlobSourcesParameters): Promise<BlobHistorySource[]> {
  if (paths.length === 0) throw new HistoryFileError('--data', undefined, 'no history file given')
  const sources: BlobHistorySource[] = []
  for (const path of paths) {
    let bytes: Buffer
    try {
      bytes = await readFile(path)
    } catch (error) {
      throw new HistoryFileError(
        path,
        undefined,
        `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      )
    }
    const { rows, presentColumns } = parseHistoryCsv({
      text: bytes.toString('utf8'),
      source: path,
      blobSchedule: schedule,
    })
    if (!presentColumns.includes('excess_blob_gas') || !presentColumns.includes('timestamp'))
      throw new HistoryFileError(
        path,
        undefined,
        'blob fees need the blob_gas_used and excess_blob_gas columns, and timestamps (they say which fork a block is in)',
      )
    const series = blobSeriesRuns({ blocks: rows, schedule })
    const name = basename(path).replace(/\.csv$/i, '')
    onFile?.(name, rows.length)
    sources.push({
      name,
      path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      rows: rows.length,
      series,
    })
  }
  return sources
}

import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { historySeries } from '../features/historySeries.js'
import type { FeeSeries } from '../features/types.js'
import type { Eip1559Parameters } from '../fees/nextBaseFee.js'
import { HistoryFileError, parseHistoryCsv } from '../history/historyCsv.js'

export type HistorySource = {
  name: string
  path: string
  sha256: string
  rows: number
  presentColumns: string[]
  series: FeeSeries[]
}

/**
 * Reads history files for training or the backtest: strict parsing (line-numbered errors), a content
 * hash (the model card records what a model was trained on; the backtest warns when it is asked to
 * score a model on its own training data), and the series of consecutive blocks.
 */
export async function readSources(
  paths: readonly string[],
  eip1559?: Eip1559Parameters,
): Promise<HistorySource[]> {
  if (paths.length === 0) throw new HistoryFileError('--data', undefined, 'no history file given')
  const sources: HistorySource[] = []
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
    const { rows, presentColumns } = parseHistoryCsv({ text: bytes.toString('utf8'), source: path })
    if (
      !presentColumns.includes('base_fee_per_gas') &&
      !(presentColumns.includes('gas_used') && presentColumns.includes('gas_limit'))
    )
      throw new HistoryFileError(
        path,
        undefined,
        'needs base_fee_per_gas, or gas_used and gas_limit to rebuild the base-fee path',
      )
    sources.push({
      name: basename(path).replace(/\.csv$/i, ''),
      path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      rows: rows.length,
      presentColumns,
      series: historySeries({ rows, ...(eip1559 ? { eip1559 } : {}) }),
    })
  }
  return sources
}

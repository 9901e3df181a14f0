import { readFile } from 'node:fs/promises'
import { HistoryFileError, type ParseHistoryCsvReturnType, parseHistoryCsv } from './historyCsv.js'

export async function readHistoryFile(path: string): Promise<ParseHistoryCsvReturnType> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new HistoryFileError(
      path,
      undefined,
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    )
  }
  return parseHistoryCsv({ text, source: path })
}

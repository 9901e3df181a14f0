import type { BlobSchedule } from '../chains/blobSchedule.js'
import { FeecastError } from '../errors.js'
import { at } from '../lib/at.js'
import type { HistoryRow } from '../types.js'
import { checkBlobCells, checkBlobTransitions } from './blobColumns.js'

/** The columns of a block history file, in order (DESIGN.md); the two blob columns at the end are optional. */
export const historyColumns = [
  'number',
  'timestamp',
  'base_fee_per_gas',
  'gas_used',
  'gas_limit',
  'tx_count',
  'min_priority_fee',
  'avg_priority_fee',
  'max_priority_fee',
  'blob_gas_used',
  'excess_blob_gas',
] as const

/** The optional trailing columns of blob-carrying chains (EIP-4844 header fields). */
export const blobColumns = ['blob_gas_used', 'excess_blob_gas'] as const

export type HistoryColumn = (typeof historyColumns)[number]

export class HistoryFileError extends FeecastError {
  override name = 'HistoryFileError'
  readonly source: string
  readonly line: number | undefined

  constructor(source: string, line: number | undefined, problem: string) {
    super(`${source}${line === undefined ? '' : `:${line}`}: ${problem}`, {
      details: `A block history file has the header "${historyHeader}" (plus ",${blobColumns.join(',')}" on chains with blobs), ascending block numbers, integers in wei and unix seconds, and an empty cell where a value is unknown.`,
    })
    this.source = source
    this.line = line
  }
}

export type ParseHistoryCsvParameters = {
  text: string
  /** Named in errors: the file path, or a label. */
  source?: string
  /**
   * The chain's blob forks. Given, every blob transition is checked against them: each row's excess blob gas
   * must follow from its parent's by a rule of the fork in force at its timestamp. A file carries no chain
   * id, so the caller names the schedule (mainnet's unless told otherwise).
   */
  blobSchedule?: BlobSchedule
}

export type ParseHistoryCsvReturnType = {
  rows: HistoryRow[]
  /** Columns with at least one non-empty cell. */
  presentColumns: HistoryColumn[]
}

const integer = /^[0-9]+$/

/**
 * Parses a block history CSV strictly: every problem names the line and the column, and nothing is
 * returned from a file with any bad row (a half-read file would silently train or replay the wrong data).
 */
export function parseHistoryCsv({
  text,
  source = 'history',
  blobSchedule,
}: ParseHistoryCsvParameters): ParseHistoryCsvReturnType {
  const lines = text.split(/\r?\n/)
  while (lines.at(-1)?.trim() === '') lines.pop()
  const [headerLine] = lines
  if (headerLine === undefined) throw new HistoryFileError(source, undefined, 'the file is empty (no header)')
  const { index, width, hasBlobColumns } = parseHeader(headerLine, source)
  const present = new Set<HistoryColumn>()
  const rows: HistoryRow[] = []
  let previous = -1
  for (const [i, line] of lines.entries()) {
    if (i === 0) continue // the header
    const row = parseRow({ line, lineNo: i + 1, source, index, width, hasBlobColumns, present, previous })
    previous = row.number
    rows.push(row)
  }
  if (hasBlobColumns && blobSchedule) {
    // Rows are lines 2.. of the file, one each (blank lines are refused above).
    const problem = checkBlobTransitions(rows, blobSchedule)
    if (problem) throw new HistoryFileError(source, problem.index + 2, problem.problem)
  }
  return { rows, presentColumns: historyColumns.filter((c) => present.has(c)) }
}

/** The header: each known column's position; unknown, repeated or missing required columns refused. */
function parseHeader(headerLine: string, source: string) {
  const header = headerLine
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((h) => h.trim())
  const index = new Map<string, number>()
  for (const [i, name] of header.entries()) {
    if (index.has(name)) throw new HistoryFileError(source, 1, `column "${name}" appears twice in the header`)
    index.set(name, i)
  }
  const unknown = header.filter((h) => !(historyColumns as readonly string[]).includes(h))
  if (unknown.length > 0)
    throw new HistoryFileError(
      source,
      1,
      `unknown column(s) ${unknown.map((u) => `"${u}"`).join(', ')} in the header`,
    )
  if (!index.has('number')) throw new HistoryFileError(source, 1, 'the header has no "number" column')
  const hasBlobColumns = blobColumns.some((c) => index.has(c))
  if (hasBlobColumns && !blobColumns.every((c) => index.has(c)))
    throw new HistoryFileError(
      source,
      1,
      `the blob columns ${blobColumns.map((c) => `"${c}"`).join(' and ')} come together`,
    )
  return { index, width: header.length, hasBlobColumns }
}

type ParseRowParameters = {
  line: string
  lineNo: number
  source: string
  index: ReadonlyMap<string, number>
  width: number
  hasBlobColumns: boolean
  /** Columns seen with a value so far (added to). */
  present: Set<HistoryColumn>
  /** The block number of the row before (-1 for the first). */
  previous: number
}

/** One data line as a row: every cell a non-negative integer or empty, numbers ascending. */
function parseRow({
  line,
  lineNo,
  source,
  index,
  width,
  hasBlobColumns,
  present,
  previous,
}: ParseRowParameters): HistoryRow {
  if (line.trim() === '') throw new HistoryFileError(source, lineNo, 'empty line inside the file')
  const cells = line.split(',')
  if (cells.length !== width)
    throw new HistoryFileError(source, lineNo, `expected ${width} cells, found ${cells.length}`)
  const cell = (column: HistoryColumn): string | null => {
    const position = index.get(column)
    if (position === undefined) return null
    const value = at(cells, position).trim() // in range: the row has as many cells as the header
    if (value === '') return null
    if (!integer.test(value))
      throw new HistoryFileError(
        source,
        lineNo,
        `column "${column}" holds "${value.slice(0, 40)}", not a non-negative integer`,
      )
    present.add(column)
    return value
  }
  const big = (column: HistoryColumn) => {
    const v = cell(column)
    return v === null ? null : BigInt(v)
  }
  const num = (column: HistoryColumn) => {
    const v = cell(column)
    if (v === null) return null
    const n = Number(v)
    if (!Number.isSafeInteger(n))
      throw new HistoryFileError(source, lineNo, `column "${column}" value ${v} is too large`)
    return n
  }
  const number = num('number')
  if (number === null) throw new HistoryFileError(source, lineNo, 'the block number is empty')
  if (number <= previous)
    throw new HistoryFileError(
      source,
      lineNo,
      number === previous
        ? `block ${number} appears twice`
        : `block ${number} comes after ${previous}: numbers must ascend`,
    )
  const row: HistoryRow = {
    number,
    timestamp: num('timestamp'),
    baseFeePerGas: big('base_fee_per_gas'),
    gasUsed: big('gas_used'),
    gasLimit: big('gas_limit'),
    txCount: num('tx_count'),
    minPriorityFee: big('min_priority_fee'),
    avgPriorityFee: big('avg_priority_fee'),
    maxPriorityFee: big('max_priority_fee'),
  }
  if (hasBlobColumns) {
    row.blobGasUsed = big('blob_gas_used')
    row.excessBlobGas = big('excess_blob_gas')
    const problem = checkBlobCells(row)
    if (problem) throw new HistoryFileError(source, lineNo, problem)
  }
  return row
}

const text = (v: bigint | number | null) => (v === null ? '' : v.toString())

/** Whether a row carries the blob columns (parsed from a file that has them, or collected from a blob chain). */
const hasBlobFields = (row: HistoryRow) => row.blobGasUsed !== undefined || row.excessBlobGas !== undefined

/**
 * One CSV line for a row, columns in the order of `historyColumns`; the blob columns only when asked for
 * (by default: when the row has them).
 */
export function formatHistoryRow(row: HistoryRow, withBlobColumns = hasBlobFields(row)): string {
  const cells = [
    row.number,
    row.timestamp,
    row.baseFeePerGas,
    row.gasUsed,
    row.gasLimit,
    row.txCount,
    row.minPriorityFee,
    row.avgPriorityFee,
    row.maxPriorityFee,
  ]
  if (withBlobColumns) cells.push(row.blobGasUsed ?? null, row.excessBlobGas ?? null)
  return cells.map(text).join(',')
}

/** The header of a file without blob columns (the nine columns every chain has). */
export const historyHeader = historyColumns
  .filter((c) => !(blobColumns as readonly string[]).includes(c))
  .join(',')

/** A whole file: with the blob columns when any row carries them. */
export function formatHistoryCsv(rows: readonly HistoryRow[]): string {
  const withBlobColumns = rows.some(hasBlobFields)
  const header = withBlobColumns ? historyColumns.join(',') : historyHeader
  return `${[header, ...rows.map((row) => formatHistoryRow(row, withBlobColumns))].join('\n')}\n`
}

/** Splits rows into runs of consecutive block numbers (files may have gaps). */
export function consecutiveRuns<T extends { number: number }>(rows: readonly T[]): T[][] {
  const runs: T[][] = []
  let run: T[] = []
  for (const row of rows) {
    const previous = run.at(-1)
    if (previous !== undefined && row.number !== previous.number + 1) {
      runs.push(run)
      run = []
    }
    run.push(row)
  }
  if (run.length > 0) runs.push(run)
  return runs
}

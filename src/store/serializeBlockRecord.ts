import type { Hex } from 'viem'
import type { BlockRecord, TipSummary } from '../types.js'
import { StoredValueError } from './errors.js'

/**
 * A BlockRecord as stored: JSON with wei amounts as decimal strings (JSON has no bigint, and a float would round
 * them). Field order is fixed, so the same record always serializes to the same string.
 */
export function serializeBlockRecord(record: BlockRecord): string {
  const t = record.tips
  return JSON.stringify({
    number: record.number,
    hash: record.hash,
    parentHash: record.parentHash,
    timestamp: record.timestamp,
    baseFeePerGas: str(record.baseFeePerGas),
    gasUsed: str(record.gasUsed),
    gasLimit: str(record.gasLimit),
    txCount: record.txCount,
    blobGasUsed: str(record.blobGasUsed),
    excessBlobGas: str(record.excessBlobGas),
    tips: t && {
      count: t.count,
      threshold: t.threshold.toString(),
      min: t.min.toString(),
      p10: t.p10.toString(),
      p25: t.p25.toString(),
      p50: t.p50.toString(),
      p75: t.p75.toString(),
      p90: t.p90.toString(),
      max: t.max.toString(),
      avg: t.avg.toString(),
    },
  })
}

/** The inverse of serializeBlockRecord; throws StoredValueError on anything it did not write. */
export function parseBlockRecord(text: string): BlockRecord {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(text)
  } catch {
    throw new StoredValueError('stored block record is not JSON', { details: text.slice(0, 200) })
  }
  if (typeof o !== 'object' || o === null || !Number.isSafeInteger(o.number))
    throw new StoredValueError('stored block record has no block number', { details: text.slice(0, 200) })
  const t = o.tips as Record<string, unknown> | null | undefined
  let tips: TipSummary | null = null
  if (t) {
    tips = {
      count: int(t.count, 'tips.count'),
      threshold: requiredWei(t.threshold, 'tips.threshold'),
      min: requiredWei(t.min, 'tips.min'),
      p10: requiredWei(t.p10, 'tips.p10'),
      p25: requiredWei(t.p25, 'tips.p25'),
      p50: requiredWei(t.p50, 'tips.p50'),
      p75: requiredWei(t.p75, 'tips.p75'),
      p90: requiredWei(t.p90, 'tips.p90'),
      max: requiredWei(t.max, 'tips.max'),
      avg: requiredWei(t.avg, 'tips.avg'),
    }
  }
  return {
    number: o.number as number,
    hash: hex(o.hash, 'hash'),
    parentHash: hex(o.parentHash, 'parentHash'),
    timestamp: o.timestamp == null ? null : int(o.timestamp, 'timestamp'),
    baseFeePerGas: wei(o.baseFeePerGas, 'baseFeePerGas'),
    gasUsed: wei(o.gasUsed, 'gasUsed'),
    gasLimit: wei(o.gasLimit, 'gasLimit'),
    txCount: o.txCount == null ? null : int(o.txCount, 'txCount'),
    blobGasUsed: wei(o.blobGasUsed, 'blobGasUsed'),
    excessBlobGas: wei(o.excessBlobGas, 'excessBlobGas'),
    tips,
  }
}

const str = (v: bigint | null) => (v === null ? null : v.toString())

const bad = (field: string) => new StoredValueError(`stored block record has an invalid ${field}`)

function wei(v: unknown, field: string): bigint | null {
  if (v == null) return null
  if (typeof v !== 'string' || !/^[0-9]+$/.test(v)) throw bad(field)
  return BigInt(v)
}

/** A wei amount that must be there (a tip summary has every field). */
function requiredWei(v: unknown, field: string): bigint {
  const amount = wei(v, field)
  if (amount === null) throw bad(field)
  return amount
}

function int(v: unknown, field: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw bad(field)
  return v as number
}

function hex(v: unknown, field: string): Hex | null {
  if (v == null) return null
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]*$/.test(v)) throw bad(field)
  return v as Hex
}

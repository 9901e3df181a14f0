import type { Redis } from 'ioredis'
import { jsonRpc, toHex } from './jsonRpc.js'

/**
 * What the node says a block's record must be, computed without the code under test: raw JSON-RPC, and tips
 * from the receipts' effectiveGasPrice (what was actually paid) rather than from the fee caps.
 */
export type TruthRecord = {
  number: number
  hash: string
  parentHash: string
  timestamp: number
  baseFeePerGas: bigint
  gasUsed: bigint
  gasLimit: bigint
  txCount: number
  blobGasUsed: bigint | null
  excessBlobGas: bigint | null
  tips: Record<string, bigint | number> | null
}

type RawBlock = {
  number: string
  hash: string
  parentHash: string
  timestamp: string
  baseFeePerGas: string
  gasUsed: string
  gasLimit: string
  miner: string
  blobGasUsed?: string
  excessBlobGas?: string
  transactions: { hash: string; from: string }[]
}

const cache = new Map<string, TruthRecord>()

function nearestRank(sorted: bigint[], p: number): bigint {
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

/** The node's record of block `number` (of its current chain). */
export async function nodeRecord(url: string, number: number): Promise<TruthRecord> {
  const block = await jsonRpc<RawBlock>(url, 'eth_getBlockByNumber', [toHex(number), true])
  if (!block) throw new Error(`the node has no block ${number}`)
  const cached = cache.get(block.hash)
  if (cached) return cached
  const baseFee = BigInt(block.baseFeePerGas)
  const paid: { tip: bigint; from: string }[] = []
  for (const tx of block.transactions) {
    const receipt = await jsonRpc<{ effectiveGasPrice: string }>(url, 'eth_getTransactionReceipt', [tx.hash])
    paid.push({ tip: BigInt(receipt.effectiveGasPrice) - baseFee, from: tx.from.toLowerCase() })
  }
  let tips: TruthRecord['tips'] = null
  if (paid.length > 0) {
    const sorted = paid.map((p) => p.tip).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    // τ: the lowest tip after dropping the miner's own transactions and sub-2-wei tips (sorted is ascending).
    const miner = block.miner.toLowerCase()
    const eligible = paid.filter((p) => p.tip >= 2n && p.from !== miner).map((p) => p.tip)
    const threshold =
      eligible.length > 0 ? eligible.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0]! : sorted[0]!
    tips = {
      count: sorted.length,
      threshold,
      min: sorted[0]!,
      p10: nearestRank(sorted, 10),
      p25: nearestRank(sorted, 25),
      p50: nearestRank(sorted, 50),
      p75: nearestRank(sorted, 75),
      p90: nearestRank(sorted, 90),
      max: sorted[sorted.length - 1]!,
      avg: sorted.reduce((s, t) => s + t, 0n) / BigInt(sorted.length),
    }
  }
  const record: TruthRecord = {
    number: Number(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: Number(block.timestamp),
    baseFeePerGas: baseFee,
    gasUsed: BigInt(block.gasUsed),
    gasLimit: BigInt(block.gasLimit),
    txCount: block.transactions.length,
    blobGasUsed: block.blobGasUsed === undefined ? null : BigInt(block.blobGasUsed),
    excessBlobGas: block.excessBlobGas === undefined ? null : BigInt(block.excessBlobGas),
    tips,
  }
  cache.set(block.hash, record)
  return record
}

export type CheckStoreParameters = {
  redis: Redis
  chainId: number
  url: string
  /** The stored history must reach at least this block (default: nothing required). */
  through?: number
  /** Only records from this number on are compared with the node (default: all). */
  from?: number
}

export type CheckStoreReturnType = {
  problems: string[]
  count: number
  /** records with every field (fetched whole) */
  full: number
  /** records from eth_feeHistory (base fee only) */
  partial: number
  first: number | null
  last: number | null
  /** hashes of the stored records, by number */
  hashes: Map<number, string | null>
}

/**
 * Reads the chain's stored history straight from Redis (not through the store module) and compares it with
 * the node, block by block: no duplicates, no gaps, parent hashes linked, the head key on the highest record,
 * and every field equal to what the node reports (tips recomputed from receipts).
 */
export async function checkStoreAgainstNode({
  redis,
  chainId,
  url,
  through,
  from = 0,
}: CheckStoreParameters): Promise<CheckStoreReturnType> {
  const problems: string[] = []
  // One snapshot of records and head (MULTI): the sampler may still be writing.
  const replies = await redis
    .multi()
    .zrange(`feecast:{${chainId}}:blocks`, 0, -1, 'WITHSCORES')
    .get(`feecast:{${chainId}}:head`)
    .exec()
  const raw = (replies?.[0]?.[1] ?? []) as string[]
  const head = (replies?.[1]?.[1] ?? null) as string | null
  const entries: { score: number; record: Record<string, unknown> }[] = []
  for (let i = 0; i < raw.length; i += 2)
    entries.push({ score: Number(raw[i + 1]), record: JSON.parse(raw[i]!) })
  const hashes = new Map<number, string | null>()
  let full = 0
  let partial = 0
  let previous: { number: number; hash: string | null } | null = null
  for (const { score, record } of entries) {
    const number = record.number as number
    if (number !== score) problems.push(`record ${number} is stored under score ${score}`)
    if (previous && number === previous.number) problems.push(`duplicate records for block ${number}`)
    else if (previous && number !== previous.number + 1)
      problems.push(`gap: ${previous.number} then ${number}`)
    if (previous?.hash && record.parentHash && record.parentHash !== previous.hash)
      problems.push(
        `block ${number}: parentHash ${record.parentHash} is not block ${previous.number}'s hash ${previous.hash}`,
      )
    previous = { number, hash: (record.hash as string | null) ?? null }
    hashes.set(number, (record.hash as string | null) ?? null)
    if (number < from) continue
    const truth = await nodeRecord(url, number)
    const same = (field: string, stored: unknown, expected: unknown) => {
      const norm = (v: unknown) => (v === null || v === undefined ? null : String(v))
      if (norm(stored) !== norm(expected))
        problems.push(`block ${number}: ${field} stored ${norm(stored)}, node ${norm(expected)}`)
    }
    same('baseFeePerGas', record.baseFeePerGas, truth.baseFeePerGas)
    if (record.hash === null) {
      partial++
      for (const field of ['parentHash', 'timestamp', 'gasUsed', 'gasLimit', 'txCount', 'tips'])
        if (record[field] !== null) problems.push(`block ${number}: a fee-history record has ${field}`)
      continue
    }
    full++
    same('hash', record.hash, truth.hash)
    same('parentHash', record.parentHash, truth.parentHash)
    same('timestamp', record.timestamp, truth.timestamp)
    same('gasUsed', record.gasUsed, truth.gasUsed)
    same('gasLimit', record.gasLimit, truth.gasLimit)
    same('txCount', record.txCount, truth.txCount)
    same('blobGasUsed', record.blobGasUsed, truth.blobGasUsed)
    same('excessBlobGas', record.excessBlobGas, truth.excessBlobGas)
    const tips = record.tips as Record<string, unknown> | null
    if ((tips === null) !== (truth.tips === null))
      problems.push(`block ${number}: tips ${tips ? 'present' : 'absent'}, node has ${truth.txCount} txs`)
    else if (tips && truth.tips)
      for (const [k, v] of Object.entries(truth.tips)) same(`tips.${k}`, tips[k], v)
  }
  const last = entries.length > 0 ? (entries[entries.length - 1]!.record.number as number) : null
  if (through !== undefined && (last === null || last < through))
    problems.push(`stored history ends at ${last}, expected at least ${through}`)
  if (last !== null && head !== raw[raw.length - 2]) problems.push('the head key is not the highest record')
  return {
    problems,
    count: entries.length,
    full,
    partial,
    first: entries.length > 0 ? (entries[0]!.record.number as number) : null,
    last,
    hashes,
  }
}

/** The highest block number stored for the chain, read straight from Redis (-1 when empty). */
export async function storedHeadNumber(redis: Redis, chainId: number): Promise<number> {
  const top = await redis.zrange(`feecast:{${chainId}}:blocks`, -1, -1, 'WITHSCORES')
  return top.length === 2 ? Number(top[1]) : -1
}

/**
 * Stored hashes that are not the node's own block hash at that number, asked of the node directly (a
 * devchain has no receipts, so checkStoreAgainstNode's full comparison is not available there).
 */
export async function notTheNodes(url: string, hashes: Map<number, string | null>): Promise<string[]> {
  const wrong: string[] = []
  for (const [n, hash] of hashes) {
    if (hash === null) continue
    const block = await jsonRpc<{ hash: string } | null>(url, 'eth_getBlockByNumber', [toHex(n), false])
    if (block?.hash !== hash) wrong.push(`block ${n}: stored ${hash}, node ${block?.hash}`)
  }
  return wrong
}

import { z } from 'zod'

const quantity = z.string().regex(/^0x[0-9a-fA-F]{1,64}$/, 'not a hex quantity')
const hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'not a 32-byte hash')
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'not an address')

const transaction = z.object({
  hash,
  from: address,
  blockHash: hash.nullable(),
  blockNumber: quantity.nullable(),
  type: quantity.optional(),
  gasPrice: quantity.optional().nullable(),
  maxFeePerGas: quantity.optional().nullable(),
  maxPriorityFeePerGas: quantity.optional().nullable(),
})

const block = z.object({
  number: quantity,
  hash,
  parentHash: hash,
  timestamp: quantity,
  gasUsed: quantity,
  gasLimit: quantity,
  miner: address,
  baseFeePerGas: quantity.optional().nullable(),
  blobGasUsed: quantity.optional().nullable(),
  excessBlobGas: quantity.optional().nullable(),
  transactions: z.array(z.union([hash, transaction])),
})

const feeHistory = z.object({
  oldestBlock: quantity,
  baseFeePerGas: z.array(quantity),
  gasUsedRatio: z.array(z.number().finite().min(0)),
  reward: z.array(z.array(quantity)).optional().nullable(),
  baseFeePerBlobGas: z.array(quantity).optional().nullable(),
  blobGasUsedRatio: z.array(z.number().finite().min(0)).optional().nullable(),
})

export type ValidateRpcResultParameters = { method: string; params: unknown; result: unknown }

/**
 * Checks a JSON-RPC result before anything is built from it: the shape viem's formatters assume, and the
 * consistency a correct node guarantees (the block asked for is the block returned, its transactions belong to
 * it, fee history lengths agree). Returns the problem, or undefined when the result is acceptable. Methods the
 * sampler does not use pass unchecked.
 */
export function validateRpcResult({
  method,
  params,
  result,
}: ValidateRpcResultParameters): string | undefined {
  const args = Array.isArray(params) ? params : []
  switch (method) {
    case 'eth_chainId':
    case 'eth_blockNumber':
      return issue(quantity.safeParse(result))
    case 'eth_getBlockByNumber':
    case 'eth_getBlockByHash':
      return blockProblem(method, args, result)
    case 'eth_feeHistory':
      return feeHistoryProblem(args, result)
    default:
      return undefined
  }
}

/** A block answer: the block asked for, plausible gas, and transactions of its own (whole if asked for). */
function blockProblem(method: string, args: readonly unknown[], result: unknown): string | undefined {
  // null: the endpoint does not have that block (yet). Not an inconsistency; the caller decides.
  if (result === null) return undefined
  const parsed = block.safeParse(result)
  if (!parsed.success) return issue(parsed)
  const b = parsed.data
  const requested = args[0]
  if (
    method === 'eth_getBlockByNumber' &&
    typeof requested === 'string' &&
    quantity.safeParse(requested).success
  ) {
    if (BigInt(b.number) !== BigInt(requested))
      return `asked for block ${BigInt(requested)}, got block ${BigInt(b.number)}`
  }
  if (
    method === 'eth_getBlockByHash' &&
    typeof requested === 'string' &&
    b.hash.toLowerCase() !== requested.toLowerCase()
  )
    return `asked for block ${requested}, got ${b.hash}`
  if (BigInt(b.gasUsed) > BigInt(b.gasLimit))
    return `gasUsed ${BigInt(b.gasUsed)} exceeds gasLimit ${BigInt(b.gasLimit)}`
  if (b.parentHash.toLowerCase() === b.hash.toLowerCase()) return 'block is its own parent'
  return transactionsProblem(b, args[1] === true)
}

function transactionsProblem(b: z.output<typeof block>, full: boolean): string | undefined {
  for (const [index, tx] of b.transactions.entries()) {
    if (typeof tx === 'string') {
      if (full) return `transaction ${index} is a hash, full transactions were asked for`
      continue
    }
    if (!full) return `transaction ${index} is an object, hashes were asked for`
    if (tx.blockHash?.toLowerCase() !== b.hash.toLowerCase())
      return `transaction ${index} belongs to block ${tx.blockHash}`
    if (tx.blockNumber === null || BigInt(tx.blockNumber) !== BigInt(b.number))
      return `transaction ${index} has block number ${tx.blockNumber}`
    const problem = transactionFeeProblem(tx, b.baseFeePerGas)
    if (problem) return `transaction ${index} ${problem}`
  }
  return undefined
}

/** A fee history answer: lengths that agree, no more blocks than asked, ending where asked, rewards per percentile. */
function feeHistoryProblem(args: readonly unknown[], result: unknown): string | undefined {
  const parsed = feeHistory.safeParse(result)
  if (!parsed.success) return issue(parsed)
  const h = parsed.data
  const count = h.gasUsedRatio.length
  if (h.baseFeePerGas.length !== (count === 0 ? 0 : count + 1) && h.baseFeePerGas.length !== count)
    return `${h.baseFeePerGas.length} base fees for ${count} blocks`
  const asked =
    typeof args[0] === 'string' && quantity.safeParse(args[0]).success
      ? Number(BigInt(args[0]))
      : typeof args[0] === 'number'
        ? args[0]
        : undefined
  if (asked !== undefined && count > asked) return `${count} blocks returned, ${asked} asked for`
  const newest = args[1]
  if (count > 0 && typeof newest === 'string' && quantity.safeParse(newest).success) {
    const last = BigInt(h.oldestBlock) + BigInt(count) - 1n
    if (last !== BigInt(newest)) return `history ends at block ${last}, asked to end at ${BigInt(newest)}`
  }
  if (h.baseFeePerBlobGas && h.baseFeePerBlobGas.length > 0 && h.baseFeePerBlobGas.length !== count + 1)
    return `${h.baseFeePerBlobGas.length} blob base fees for ${count} blocks`
  if (h.blobGasUsedRatio && h.blobGasUsedRatio.length > 0) {
    if (h.blobGasUsedRatio.length !== count)
      return `${h.blobGasUsedRatio.length} blob gas used ratios for ${count} blocks`
    if (h.blobGasUsedRatio.some((r) => r > 1)) return 'a blob gas used ratio above 1'
  }
  const percentiles = Array.isArray(args[2]) ? args[2].length : 0
  if (percentiles > 0) {
    if (!h.reward || h.reward.length !== count)
      return `reward has ${h.reward?.length ?? 0} rows for ${count} blocks`
    if (h.reward.some((row) => row.length !== percentiles))
      return 'a reward row does not match the percentiles asked for'
  }
  return undefined
}

function transactionFeeProblem(
  tx: z.output<typeof transaction>,
  baseFeePerGas: string | null | undefined,
): string | undefined {
  const baseFee = baseFeePerGas ? BigInt(baseFeePerGas) : undefined
  const type = tx.type === undefined ? 0 : Number(BigInt(tx.type))
  // Only the standard types are checked: system transactions (OP deposits 0x7e, Arbitrum internal 0x6a) pay no fee.
  if (type >= 2 && type <= 4) {
    if (tx.maxFeePerGas == null || tx.maxPriorityFeePerGas == null)
      return `of type ${type} lacks its fee caps`
    if (BigInt(tx.maxPriorityFeePerGas) > BigInt(tx.maxFeePerGas))
      return 'has maxPriorityFeePerGas above maxFeePerGas'
    if (baseFee !== undefined && BigInt(tx.maxFeePerGas) < baseFee)
      return 'has maxFeePerGas below the base fee'
  } else if (type <= 1) {
    if (tx.gasPrice == null) return `of type ${type} lacks gasPrice`
    if (baseFee !== undefined && BigInt(tx.gasPrice) < baseFee) return 'has gasPrice below the base fee'
  }
  return undefined
}

function issue(parsed: { success: true } | { success: false; error: z.ZodError }): string | undefined {
  if (parsed.success) return undefined
  const first = parsed.error.issues[0]
  if (!first) return 'invalid result'
  const path = first.path.length > 0 ? `${first.path.join('.')}: ` : ''
  return `${path}${first.message}`
}

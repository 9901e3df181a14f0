import { type Hex, stringToHex } from 'viem'
import type { DevBlock, DevTransaction } from './devBlock.js'
import { fakeHex, quantity } from './hex.js'

const emptyUnclesHash = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347'
const emptyTrieRoot = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'
const emptyBloom: Hex = `0x${'0'.repeat(512)}`
const zeroNonce = '0x0000000000000000'
const extraData = stringToHex('feecast devchain')

/** Position of a hash's bytes as integers, to derive look-alike roots from it cheaply. */
const hashSeed = (hash: Hex) => Number.parseInt(hash.slice(2, 10), 16)

/**
 * The JSON-RPC form of a block, as a post-Cancun execution client returns it. Header fields the
 * block does not serve (a replayed row's empty cell) are left out, so a reader sees them as unknown.
 */
export function toRpcBlock(
  block: DevBlock,
  fullTransactions: boolean,
  chainId: number,
): Record<string, unknown> {
  const txs = block.transactionCount > 0 || fullTransactions ? block.transactions() : []
  const seed = hashSeed(block.hash)
  const out: Record<string, unknown> = {
    number: quantity(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    nonce: zeroNonce,
    mixHash: fakeHex(32, seed, 1),
    sha3Uncles: emptyUnclesHash,
    logsBloom: emptyBloom,
    transactionsRoot: block.transactionCount === 0 ? emptyTrieRoot : fakeHex(32, seed, 2),
    stateRoot: fakeHex(32, seed, 3),
    receiptsRoot: block.transactionCount === 0 ? emptyTrieRoot : fakeHex(32, seed, 4),
    miner: block.miner,
    difficulty: '0x0',
    totalDifficulty: '0x0',
    extraData,
    size: quantity(620 + 115 * block.transactionCount),
  }
  if (block.gasLimit !== null) out.gasLimit = quantity(block.gasLimit)
  if (block.gasUsed !== null) out.gasUsed = quantity(block.gasUsed)
  if (block.timestamp !== null) out.timestamp = quantity(block.timestamp)
  out.transactions = fullTransactions
    ? txs.map((tx, i) => toRpcTransaction(tx, i, block, chainId))
    : txs.map((tx) => tx.hash)
  out.uncles = []
  if (block.baseFeePerGas !== null) out.baseFeePerGas = quantity(block.baseFeePerGas)
  out.withdrawals = []
  out.withdrawalsRoot = emptyTrieRoot
  if (block.blob?.blobGasUsed != null) out.blobGasUsed = quantity(block.blob.blobGasUsed)
  if (block.blob?.excessBlobGas != null) out.excessBlobGas = quantity(block.blob.excessBlobGas)
  out.parentBeaconBlockRoot = fakeHex(32, seed, 5)
  return out
}

export function toRpcTransaction(
  tx: DevTransaction,
  index: number,
  block: DevBlock,
  chainId: number,
): Record<string, unknown> {
  const seed = hashSeed(tx.hash)
  const parity = seed & 1
  const common = {
    blockHash: block.hash,
    blockNumber: quantity(block.number),
    from: tx.from,
    gas: quantity(tx.gas),
    hash: tx.hash,
    input: '0x',
    nonce: quantity(tx.nonce),
    to: tx.to,
    transactionIndex: quantity(index),
    value: quantity(BigInt(seed % 1000) * 10n ** 15n),
    chainId: quantity(chainId),
    r: fakeHex(32, seed, index, 0x72),
    s: fakeHex(32, seed, index, 0x73),
  }
  if (tx.type === 'legacy')
    return {
      ...common,
      type: '0x0',
      gasPrice: quantity(tx.gasPrice ?? 0n),
      v: quantity(BigInt(chainId) * 2n + 35n + BigInt(parity)),
    }
  // Clients report the price actually paid as gasPrice for EIP-1559 transactions in a block.
  const baseFee = block.baseFeePerGas ?? 0n
  return {
    ...common,
    type: '0x2',
    gasPrice: quantity(baseFee + tx.tip),
    maxFeePerGas: quantity(tx.maxFeePerGas ?? 0n),
    maxPriorityFeePerGas: quantity(tx.maxPriorityFeePerGas ?? 0n),
    accessList: [],
    v: quantity(parity),
    yParity: quantity(parity),
  }
}

/** Receipts of a block's transactions (eth_getBlockReceipts): every one succeeded and logged nothing. */
export function toRpcReceipts(block: DevBlock): Record<string, unknown>[] {
  const baseFee = block.baseFeePerGas ?? 0n
  let cumulative = 0n
  return block.transactions().map((tx, index) => {
    cumulative += tx.gasUsed
    return {
      blockHash: block.hash,
      blockNumber: quantity(block.number),
      contractAddress: null,
      cumulativeGasUsed: quantity(cumulative),
      effectiveGasPrice: quantity(tx.type === 'legacy' ? (tx.gasPrice ?? 0n) : baseFee + tx.tip),
      from: tx.from,
      gasUsed: quantity(tx.gasUsed),
      logs: [],
      logsBloom: emptyBloom,
      status: '0x1',
      to: tx.to,
      transactionHash: tx.hash,
      transactionIndex: quantity(index),
      type: tx.type === 'legacy' ? '0x0' : '0x2',
    }
  })
}

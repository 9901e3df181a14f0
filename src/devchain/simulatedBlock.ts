import type { Address, Hex } from 'viem'
import { at } from '../lib/at.js'
import type { DevBlobFields, DevBlock, DevTransaction } from './devBlock.js'
import { fakeHex, senderAddress, transactionHash } from './hex.js'
import type { SimulatedBlock } from './simulateDemand.js'

export type SimulatedDevBlockParameters = {
  block: SimulatedBlock
  hash: Hex
  parentHash: Hex
  timestamp: number
  salt: number
  blob?: DevBlobFields | null | undefined
}

/** Addresses of the simulated builders (fee recipients). */
export function builderAddress(salt: number, index: number): Address {
  return senderAddress(salt ^ 0xb1d, 0xb0000000 + index)
}

/** The devchain block of a simulated block: transactions are materialized only when asked for. */
export function simulatedDevBlock({
  block,
  hash,
  parentHash,
  timestamp,
  salt,
  blob,
}: SimulatedDevBlockParameters): DevBlock {
  const txs = block.transactions
  const baseFee = block.baseFeePerGas
  const miner = builderAddress(salt, block.builder)
  const recipientSalt = salt ^ 0x70
  return {
    number: block.number,
    hash,
    parentHash,
    miner,
    timestamp,
    baseFeePerGas: baseFee,
    gasUsed: block.gasUsed,
    gasLimit: block.gasLimit,
    transactionCount: txs.count,
    fee: { baseFeePerGas: baseFee, gasUsed: block.gasUsed, gasLimit: block.gasLimit },
    blob: blob ?? null,
    rewardSamples() {
      const out: { tip: bigint; gasUsed: bigint }[] = []
      const price = Number(baseFee)
      for (let i = 0; i < txs.count; i++) {
        const headroom = at(txs.maxFeePerGas, i) - price
        const tip = txs.legacy[i] === 1 ? headroom : Math.min(at(txs.maxPriorityFeePerGas, i), headroom)
        out.push({ tip: BigInt(Math.max(0, tip)), gasUsed: BigInt(at(txs.gasUsed, i)) })
      }
      return out
    },
    transactions() {
      const out: DevTransaction[] = []
      for (let i = 0; i < txs.count; i++) {
        const legacy = txs.legacy[i] === 1
        const maxFee = BigInt(at(txs.maxFeePerGas, i))
        const maxPriority = BigInt(at(txs.maxPriorityFeePerGas, i))
        const headroom = maxFee - baseFee
        const tip = legacy ? headroom : maxPriority < headroom ? maxPriority : headroom
        const fromBuilder = txs.fromBuilder[i] === 1
        out.push({
          hash: transactionHash(hash, i),
          from: fromBuilder ? miner : senderAddress(salt, at(txs.sender, i)),
          to: fromBuilder
            ? senderAddress(salt, block.number % 5000)
            : (fakeHex(20, recipientSalt, at(txs.sender, i), at(txs.nonce, i) % 7) as Address),
          nonce: at(txs.nonce, i),
          type: legacy ? 'legacy' : 'eip1559',
          gas: BigInt(at(txs.gas, i)),
          gasUsed: BigInt(at(txs.gasUsed, i)),
          gasPrice: legacy ? maxFee : null,
          maxFeePerGas: legacy ? null : maxFee,
          maxPriorityFeePerGas: legacy ? null : maxPriority,
          tip: tip > 0n ? tip : 0n,
        })
      }
      return out
    },
  }
}

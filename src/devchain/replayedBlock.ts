import type { Address, Hex } from 'viem'
import { at } from '../lib/at.js'
import { createRandom, type Random } from '../lib/random.js'
import type { DevBlock, DevTransaction } from './devBlock.js'
import { fakeHex, senderAddress, transactionHash } from './hex.js'
import type { ReplayBlockPlan } from './planReplay.js'
import { builderAddress } from './simulatedBlock.js'
import { tipsForSummary } from './tipsForSummary.js'

export type ReplayedDevBlockParameters = {
  plan: ReplayBlockPlan
  hash: Hex
  parentHash: Hex
  salt: number
  senders?: number
}

const scale = (x: bigint, f: number) => (x * BigInt(Math.round(f * 1e6))) / 1_000_000n
const minBig = (a: bigint, b: bigint) => (a < b ? a : b)

/**
 * The devchain block of one replayed row. Its transactions are drawn from the row's seed each time
 * they are asked for (the same every time): their effective tips, against the base fee the block
 * serves, have exactly the row's min, floor-mean and max, and their gas used sums to the block's.
 */
export function replayedDevBlock({
  plan,
  hash,
  parentHash,
  salt,
  senders = 5_000,
}: ReplayedDevBlockParameters): DevBlock {
  const miner = builderAddress(salt, plan.seed % 4)
  return {
    number: plan.number,
    hash,
    parentHash,
    miner,
    timestamp: plan.served.timestamp,
    baseFeePerGas: plan.served.baseFeePerGas,
    gasUsed: plan.served.gasUsed,
    gasLimit: plan.served.gasLimit,
    transactionCount: plan.transactionCount,
    fee: {
      baseFeePerGas: plan.internal.baseFeePerGas,
      gasUsed: plan.internal.gasUsed,
      gasLimit: plan.internal.gasLimit,
    },
    blob: plan.blob,
    rewardSamples() {
      const { tips, gasUsed } = draw(plan)
      return tips.map((tip, i) => ({ tip, gasUsed: gasUsed[i] ?? 0n }))
    },
    transactions() {
      if (plan.transactionCount === 0) return []
      const { random, tips, gasUsed } = draw(plan)
      // Tips are relative to the base fee a reader sees (none served: 0, as for pre-London blocks).
      const baseFee = plan.served.baseFeePerGas ?? 0n
      return tips.map((tip, i) =>
        replayedTransaction({
          random,
          hash,
          salt,
          senders,
          index: i,
          tip,
          gasUsed: gasUsed[i] ?? 0n,
          baseFee,
        }),
      )
    },
  }
}

/**
 * One transaction of a replayed block paying exactly `tip`: from a drawn sender, legacy (15 %), capped
 * by its maxFee (10 % of the rest) or with room under its maxFee.
 */
function replayedTransaction({
  random,
  hash,
  salt,
  senders,
  index,
  tip,
  gasUsed: used,
  baseFee,
}: {
  random: Random
  hash: Hex
  salt: number
  senders: number
  index: number
  tip: bigint
  gasUsed: bigint
  baseFee: bigint
}): DevTransaction {
  const sender = random.int(senders)
  const gas = used + scale(used, 0.25 * random.next()) + 21_000n
  const common = {
    hash: transactionHash(hash, index),
    from: senderAddress(salt, sender),
    to: fakeHex(20, salt, sender, 0x70) as Address,
    nonce: random.int(100_000),
    gas,
    gasUsed: used,
    tip,
  }
  if (random.chance(0.15))
    return {
      ...common,
      type: 'legacy',
      gasPrice: baseFee + tip,
      maxFeePerGas: null,
      maxPriorityFeePerGas: null,
    }
  if (random.chance(0.1)) {
    // maxFee binds: the sender offered more tip than the cap left room for.
    return {
      ...common,
      type: 'eip1559',
      gasPrice: null,
      maxFeePerGas: baseFee + tip,
      // Never above maxFeePerGas (no node accepts that): with tips above the base fee the offer is the cap.
      maxPriorityFeePerGas: minBig(tip + scale(tip, random.next()) + 1n, baseFee + tip),
    }
  }
  return {
    ...common,
    type: 'eip1559',
    gasPrice: null,
    maxFeePerGas: baseFee + tip + scale(baseFee, 0.2 + 1.3 * random.next()),
    maxPriorityFeePerGas: tip,
  }
}

/**
 * The row's tips and the gas each transaction used, drawn from the row's seed. The first draw must
 * be the one planReplay checked for exactness (same seed, same call).
 */
function draw(plan: ReplayBlockPlan): { random: Random; tips: bigint[]; gasUsed: bigint[] } {
  const random = createRandom(plan.seed)
  if (plan.transactionCount === 0) return { random, tips: [], gasUsed: [] }
  const { tips } = tipsForSummary({
    count: plan.transactionCount,
    ...plan.tipTargets,
    random,
    typicalTip: plan.typicalTip,
  })
  const weights = tips.map(() => 0.2 + random.exponential(1))
  const totalWeight = weights.reduce((a, b) => a + b, 0)
  const gasUsed = weights.map((w) => scale(plan.internal.gasUsed, w / totalWeight))
  let rest = plan.internal.gasUsed
  for (const g of gasUsed) rest -= g
  gasUsed[0] = at(gasUsed, 0) + rest
  return { random, tips, gasUsed }
}

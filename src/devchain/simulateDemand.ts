import { type Eip1559Parameters, ethereumEip1559, nextBaseFee } from '../fees/nextBaseFee.js'
import { at } from '../lib/at.js'
import { createRandom, type Random } from '../lib/random.js'

/** Transactions of one simulated block, column-wise: a retained block costs ~33 bytes a transaction. */
/** Tips of bots and careless wallets: zero, one wei, or a thousandth of a gwei. */
const carelessTips = [0, 1, 1e6] as const

export type SimulatedTransactions = {
  count: number
  /** Index of the sender; for the builder's own transactions, the builder's index. */
  sender: Uint32Array
  /** 1 when the builder sent it (its own payment or MEV transaction). */
  fromBuilder: Uint8Array
  nonce: Uint32Array
  /** 1 for a legacy transaction (gasPrice = maxFee, the whole headroom is its tip). */
  legacy: Uint8Array
  /** Wei, integers below 2^53. */
  maxFeePerGas: Float64Array
  maxPriorityFeePerGas: Float64Array
  gas: Uint32Array
  gasUsed: Uint32Array
}

export type SimulatedBlock = {
  number: number
  baseFeePerGas: bigint
  gasUsed: bigint
  gasLimit: bigint
  /** Index of the builder that proposed it. */
  builder: number
  /** Demand regime the block was built in (for diagnostics and tests). */
  regime: RegimeName
  transactions: SimulatedTransactions
}

export type RegimeName = 'calm' | 'normal' | 'busy' | 'burst'

type Regime = {
  name: RegimeName
  /** Gas arriving per block at the reference price, in units of the gas target. */
  demand: number
  /** Median tip bid, gwei. */
  tipGwei: number
  /** Mean length in blocks. */
  meanBlocks: number
  /** Weights of the regime that follows. */
  next: Partial<Record<RegimeName, number>>
}

const regimes: Record<RegimeName, Regime> = {
  calm: {
    name: 'calm',
    demand: 0.35,
    tipGwei: 0.01,
    meanBlocks: 60,
    next: { normal: 0.8, busy: 0.15, burst: 0.05 },
  },
  normal: {
    name: 'normal',
    demand: 0.85,
    tipGwei: 0.05,
    meanBlocks: 80,
    next: { calm: 0.45, busy: 0.4, burst: 0.15 },
  },
  busy: {
    name: 'busy',
    demand: 1.35,
    tipGwei: 0.3,
    meanBlocks: 30,
    next: { normal: 0.6, burst: 0.3, calm: 0.1 },
  },
  burst: {
    name: 'burst',
    demand: 3.5,
    tipGwei: 1.5,
    meanBlocks: 10,
    next: { busy: 0.5, normal: 0.4, calm: 0.1 },
  },
}

type PendingTransaction = {
  sender: number
  legacy: boolean
  maxFee: number
  maxPriority: number
  gas: number
  gasUsed: number
  expires: number
  /** Arrival order: ties in tip go to the earlier transaction. */
  seq: number
}

export type DemandSimulatorParameters = {
  seed: number
  gasLimit?: bigint
  initialBaseFeePerGas?: bigint
  eip1559?: Eip1559Parameters
  /** Distinct senders. */
  senders?: number
  /** Distinct block builders (fee recipients). */
  builders?: number
  /** Pending transactions kept at most; the lowest bids are evicted first, as geth's pool does. */
  maxPending?: number
  /** Number of the first block produced. */
  firstNumber?: number
}

export type DemandSimulator = {
  /** Builds the next block from the pending pool, then lets new demand arrive. */
  nextBlock(): SimulatedBlock
  /** Base fee the next block will have (exact: EIP-1559). */
  pendingBaseFeePerGas(): bigint
}

const gwei = 1e9
const transferGas = 21_000

/**
 * EIP-1559 demand with bursts and calm spells. Demand follows a regime-switching (Markov) process —
 * calm, normal, busy, burst — and is price-elastic around a slowly drifting reference price, so the
 * base fee climbs in bursts and decays in calm spells instead of running off. Senders bid tips from a
 * heavy-tailed (log-normal × Pareto) distribution scaled by the regime's urgency; wallets set
 * maxFee ≈ (1.1–3)× the base fee they saw plus the tip. The builder fills each block greedily by
 * effective tip up to the gas limit, so in full blocks the inclusion threshold rises and in calm
 * ones it falls to the lowest bids. Everything comes from one seeded random source: a seed gives
 * the same chain every time.
 */
export function createDemandSimulator({
  seed,
  gasLimit = 30_000_000n,
  initialBaseFeePerGas = 12_000_000_000n,
  eip1559 = ethereumEip1559,
  senders = 5_000,
  builders = 4,
  maxPending = 8_000,
  firstNumber = 0,
}: DemandSimulatorParameters): DemandSimulator {
  const random = createRandom(seed)
  const limit = Number(gasLimit)
  const target = limit / Number(eip1559.elasticityMultiplier)
  const nonces = new Uint32Array(senders)
  const referenceLog0 = Math.log(Number(initialBaseFeePerGas))
  const market: Market = { referenceLog: referenceLog0, regime: regimes.normal, seq: 0 }
  let baseFee = initialBaseFeePerGas
  let number = firstNumber
  let pool: PendingTransaction[] = []
  const arrive = (atBlock: number) => {
    pool = arrivals({ random, market, pool, price: Number(baseFee), target, senders, maxPending, atBlock })
  }

  // Some demand is waiting before the first block.
  arrive(number)

  return {
    pendingBaseFeePerGas: () => baseFee,
    nextBlock() {
      const price = Number(baseFee)
      pool = pool.filter((tx) => tx.expires >= number)
      const { included, remaining: unfilled } = fillBlock(pool, price, limit)
      let remaining = unfilled
      const builder = random.int(builders)
      // Builders often close their block with a zero-tip transaction of their own (a payment, a MEV
      // bundle's last leg); τ must ignore it, as geth's oracle does.
      const builderTx = random.chance(0.4) && remaining >= transferGas
      if (builderTx) remaining -= transferGas
      const inBlock = new Set(included)
      pool = pool.filter((tx) => !inBlock.has(tx))
      const gasUsed = BigInt(limit - remaining)
      const block: SimulatedBlock = {
        number,
        baseFeePerGas: baseFee,
        gasUsed,
        gasLimit,
        builder,
        regime: market.regime.name,
        transactions: transactionsOf(
          included,
          nonces,
          builderTx ? { sender: builder, nonce: number, price } : null,
        ),
      }
      baseFee = nextBaseFee({ baseFeePerGas: baseFee, gasUsed, gasLimit, eip1559 })
      number++
      market.regime = nextRegime(random, market.regime)
      // The reference price drifts slowly and reverts to where it started, so fees wander over hours.
      market.referenceLog += 0.02 * random.normal() - 0.005 * (market.referenceLog - referenceLog0)
      arrive(number)
      return block
    },
  }
}

/** The drifting state of demand: the price it is used to, its regime, and a sequence for ties. */
type Market = { referenceLog: number; regime: Regime; seq: number }

/**
 * New transactions for one block time: a gas budget from the regime's demand, price-elastic around the
 * reference price; the pool keeps the best-paying `maxPending`.
 */
function arrivals({
  random,
  market,
  pool,
  price,
  target,
  senders,
  maxPending,
  atBlock,
}: {
  random: Random
  market: Market
  pool: PendingTransaction[]
  price: number
  target: number
  senders: number
  maxPending: number
  atBlock: number
}): PendingTransaction[] {
  const elasticity = Math.min(4, Math.max(0.05, (Math.exp(market.referenceLog) / price) ** 1.5))
  const budget = market.regime.demand * target * elasticity * Math.exp(0.35 * random.normal())
  for (let gasSum = 0; gasSum < budget; ) {
    const tx = newTransaction(random, market.regime, price, senders, atBlock, market.seq++)
    pool.push(tx)
    gasSum += tx.gasUsed
  }
  if (pool.length > maxPending) {
    pool.sort((a, b) => b.maxPriority - a.maxPriority || a.seq - b.seq)
    pool.length = maxPending
  }
  return pool
}

/** The regime after a block: kept, or left (once in its mean length) for one of its successors by weight. */
function nextRegime(random: Random, regime: Regime): Regime {
  if (!random.chance(1 / regime.meanBlocks)) return regime
  const options = Object.entries(regime.next) as [RegimeName, number][]
  let u = random.next() * options.reduce((s, [, w]) => s + w, 0)
  for (const [name, weight] of options) {
    u -= weight
    if (u <= 0) return regimes[name]
  }
  return regime
}

/** The builder's greedy fill: by effective tip (then arrival) while gas is left; what fits, and the gas left. */
function fillBlock(
  pool: readonly PendingTransaction[],
  price: number,
  limit: number,
): { included: PendingTransaction[]; remaining: number } {
  const tipOf = (tx: PendingTransaction) =>
    tx.legacy ? tx.maxFee - price : Math.min(tx.maxPriority, tx.maxFee - price)
  const candidates = pool
    .filter((tx) => tx.maxFee >= price)
    .map((tx) => ({ tx, tip: tipOf(tx) }))
    .sort((a, b) => b.tip - a.tip || a.tx.seq - b.tx.seq)
  const included: PendingTransaction[] = []
  let remaining = limit
  for (const { tx } of candidates) {
    if (remaining < transferGas) break
    if (tx.gas > remaining) continue
    included.push(tx)
    remaining -= tx.gasUsed
  }
  return { included, remaining }
}

/** The block's transactions in columns, senders' nonces counted up, and the builder's own last when it sent one. */
function transactionsOf(
  included: readonly PendingTransaction[],
  nonces: Uint32Array,
  builderTx: { sender: number; nonce: number; price: number } | null,
): SimulatedTransactions {
  const count = included.length + (builderTx ? 1 : 0)
  const txs: SimulatedTransactions = {
    count,
    sender: new Uint32Array(count),
    fromBuilder: new Uint8Array(count),
    nonce: new Uint32Array(count),
    legacy: new Uint8Array(count),
    maxFeePerGas: new Float64Array(count),
    maxPriorityFeePerGas: new Float64Array(count),
    gas: new Uint32Array(count),
    gasUsed: new Uint32Array(count),
  }
  included.forEach((tx, i) => {
    txs.sender[i] = tx.sender
    txs.nonce[i] = nonces[tx.sender] ?? 0
    nonces[tx.sender] = (nonces[tx.sender] ?? 0) + 1
    txs.legacy[i] = tx.legacy ? 1 : 0
    txs.maxFeePerGas[i] = tx.maxFee
    txs.maxPriorityFeePerGas[i] = tx.legacy ? tx.maxFee : tx.maxPriority
    txs.gas[i] = tx.gas
    txs.gasUsed[i] = tx.gasUsed
  })
  if (builderTx) {
    const i = count - 1
    txs.sender[i] = builderTx.sender
    txs.fromBuilder[i] = 1
    txs.nonce[i] = builderTx.nonce
    txs.maxFeePerGas[i] = builderTx.price
    txs.maxPriorityFeePerGas[i] = 0
    txs.gas[i] = transferGas
    txs.gasUsed[i] = transferGas
  }
  return txs
}

function newTransaction(
  random: Random,
  regime: Regime,
  price: number,
  senders: number,
  atBlock: number,
  seq: number,
): PendingTransaction {
  const kind = random.next()
  let gas: number
  let gasUsed: number
  if (kind < 0.35) {
    gas = transferGas
    gasUsed = transferGas
  } else {
    const median = kind < 0.85 ? 100_000 : 450_000
    gas = Math.min(3_000_000, Math.max(30_000, Math.round(median * Math.exp(0.6 * random.normal()))))
    gasUsed = Math.round(gas * (0.55 + 0.43 * random.next()))
  }
  let tip: number
  if (random.chance(0.06)) {
    // Bots and careless wallets: zero, one wei, or a thousandth of a gwei.
    tip = at(carelessTips, random.int(carelessTips.length))
  } else {
    tip = regime.tipGwei * gwei * Math.exp(0.7 * random.normal()) * random.pareto(1.4, 300)
    // People pick round numbers once tips are large enough to type.
    tip = tip > 0.5 * gwei ? Math.round(tip / 1e8) * 1e8 : Math.round(tip / 1e3) * 1e3
  }
  const legacy = random.chance(0.12)
  const maxFee = legacy
    ? Math.round(price * (1 + random.exponential(0.15)) + tip)
    : Math.round(price * (1.1 + random.exponential(0.6)) + tip)
  return {
    sender: random.int(senders),
    legacy,
    maxFee,
    maxPriority: legacy ? maxFee : tip,
    gas,
    gasUsed,
    expires: atBlock + 5 + Math.round(random.exponential(30)),
    seq,
  }
}

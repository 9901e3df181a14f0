import { mulberry32 } from '../../src/lib/random.js'
import { jsonRpc, toHex } from './jsonRpc.js'

export type SentTransaction = {
  hash: `0x${string}`
  from: `0x${string}`
  kind: 'eip1559' | 'legacy'
  maxFeePerGas: bigint | null
  maxPriorityFeePerGas: bigint | null
  gasPrice: bigint | null
  gas: bigint
  /** ms since the epoch, when the node accepted it */
  sentAt: number
  /** the block number the node was at when it was sent */
  sentAtBlock: number
}

export type StartLoadGeneratorParameters = {
  url: string
  /** Unlocked accounts to send from (hardhat's). Include the miner to exercise τ's exclusion of its own txs. */
  accounts: readonly `0x${string}`[]
  /** Mean transactions per second in calm spells (default 6). */
  calmRate?: number
  /** ... and in bursts (default 40): above a small block's capacity, so the base fee climbs. */
  burstRate?: number
  /** A burst of burstMs every periodMs (defaults 3000 / 9000). */
  burstMs?: number
  periodMs?: number
  /** Median tip (wei, default 1 gwei); tips are Pareto-distributed around it with this tail index (default 1.3). */
  medianTipWei?: bigint
  tailIndex?: number
  /** Share of legacy (gasPrice) transactions (default 0.15). */
  legacyShare?: number
  /** Share with a 0 or 1 wei tip, which τ ignores (default 0.05). */
  dustTipShare?: number
  /** Deterministic choices (default 1). */
  seed?: number
  /** Keep each sent transaction (for the inclusion benchmark; default true). */
  keepSent?: boolean
}

export type LoadGenerator = {
  readonly sent: readonly SentTransaction[]
  readonly sentCount: number
  readonly errors: number
  stop(): Promise<void>
}

/** Seeded uniform [0, 1) generator for load shapes. */
export const seededRandom = mulberry32

/**
 * Sends EIP-1559 (and some legacy) transfers from the node's unlocked accounts, in calm spells and bursts, with
 * heavy-tailed tips, fee caps from tight to generous (so some tips are capped by maxFee - baseFee) and varied
 * calldata (so transactions differ in gas). Blocks fill up and the base fee moves. Uses eth_sendTransaction, so
 * the node assigns nonces.
 */
export function startLoadGenerator({
  url,
  accounts,
  calmRate = 6,
  burstRate = 40,
  burstMs = 3_000,
  periodMs = 9_000,
  medianTipWei = 1_000_000_000n,
  tailIndex = 1.3,
  legacyShare = 0.15,
  dustTipShare = 0.05,
  seed = 1,
  keepSent = true,
}: StartLoadGeneratorParameters): LoadGenerator {
  if (accounts.length === 0) throw new RangeError('the load generator needs at least one account')
  const random = seededRandom(seed)
  const sent: SentTransaction[] = []
  let sentCount = 0
  let errors = 0
  let stopped = false
  const inFlight = new Set<Promise<void>>()
  const started = Date.now()
  const tickMs = 50
  let baseFee = 1_000_000_000n
  let blockNumber = 0
  let lastHeadCheck = 0

  const pareto = () => {
    // Pareto with the given median: x_m · U^(-1/α), median x_m · 2^(1/α). Capped at 200× the median.
    const u = Math.max(random(), 1e-9)
    const factor = Math.min(200, u ** (-1 / tailIndex) / 2 ** (1 / tailIndex))
    return (medianTipWei * BigInt(Math.round(factor * 1_000_000))) / 1_000_000n
  }

  const sendOne = async () => {
    const from = accounts[Math.floor(random() * accounts.length)]!
    const to = accounts[Math.floor(random() * accounts.length)]!
    const dust = random() < dustTipShare
    const tip = dust ? BigInt(Math.floor(random() * 2)) : pareto()
    // Caps from barely above the base fee to 3×: tight ones get their tip cut to maxFee - baseFee, or wait.
    const capFactor = 1.02 + random() * random() * 2
    const cap = (baseFee * BigInt(Math.round(capFactor * 1000))) / 1000n + tip
    const legacy = random() < legacyShare
    const dataBytes = random() < 0.3 ? Math.floor(random() * 1500) : 0
    const gas = 21_000n + BigInt(dataBytes) * 16n
    const tx: Record<string, string> = {
      from,
      to,
      value: toHex(1 + Math.floor(random() * 1000)),
      gas: toHex(gas),
      data: `0x${'ab'.repeat(dataBytes)}`,
    }
    if (legacy) tx.gasPrice = toHex(baseFee + tip)
    else {
      tx.maxFeePerGas = toHex(cap)
      tx.maxPriorityFeePerGas = toHex(tip)
    }
    try {
      const hash = await jsonRpc<`0x${string}`>(url, 'eth_sendTransaction', [tx], 10_000)
      sentCount++
      if (keepSent)
        sent.push({
          hash,
          from,
          kind: legacy ? 'legacy' : 'eip1559',
          maxFeePerGas: legacy ? null : cap,
          maxPriorityFeePerGas: legacy ? null : tip,
          gasPrice: legacy ? baseFee + tip : null,
          gas,
          sentAt: Date.now(),
          sentAtBlock: blockNumber,
        })
    } catch {
      errors++
    }
  }

  const refreshHead = async () => {
    try {
      const block = await jsonRpc<{ number: string; baseFeePerGas?: string }>(
        url,
        'eth_getBlockByNumber',
        ['latest', false],
        5_000,
      )
      blockNumber = Number(block.number)
      if (block.baseFeePerGas) baseFee = BigInt(block.baseFeePerGas)
    } catch {
      errors++
    }
  }

  let carry = 0
  const timer = setInterval(() => {
    if (stopped) return
    const now = Date.now()
    if (now - lastHeadCheck >= 500) {
      lastHeadCheck = now
      track(refreshHead())
    }
    const inBurst = (now - started) % periodMs < burstMs
    // Expected sends this tick, with the fraction carried: a steady, seeded approximation of a Poisson stream.
    carry += ((inBurst ? burstRate : calmRate) * tickMs) / 1000
    // Bounded concurrency: a slow node slows the load rather than piling up requests.
    while (carry >= 1 && inFlight.size < 16) {
      carry -= 1
      track(sendOne())
    }
    if (carry > 4) carry = 4
  }, tickMs)

  function track(promise: Promise<void>) {
    inFlight.add(promise)
    void promise.finally(() => inFlight.delete(promise))
  }

  return {
    get sent() {
      return sent
    },
    get sentCount() {
      return sentCount
    },
    get errors() {
      return errors
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      await Promise.allSettled([...inFlight])
    },
  }
}

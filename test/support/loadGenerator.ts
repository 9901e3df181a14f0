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
  /**
   * Besides the bursts, a fee spike: `spikeMs` of sustained overload at `spikeRate` every `spikePeriodMs`
   * (default none), long enough for the base fee to climb block after block (+12.5 % a full block),
   * as in a mint or a market crash.
   */
  spikeRate?: number
  spikeMs?: number
  spikePeriodMs?: number
  /**
   * Users' valuations: the most each will pay per gas, log-normal with this median (wei) and log spread
   * `valuationSpread` (default 0.5), `spikeValuationFactor` times higher during a spike (default 3).
   * A user whose valuation is under the base fee does not send (counted in `pricedOut`), so demand falls
   * as the fee rises and the base fee settles where blocks are half full, as on a real chain. Default
   * none: every user sends, with a cap relative to the current base fee.
   */
  valuationWei?: bigint
  valuationSpread?: number
  spikeValuationFactor?: number
  /** Tips are this many times higher during a spike: users in a rush bid for priority (default 1). */
  spikeTipFactor?: number
  /** Median tip (wei, default 1 gwei); tips are Pareto-distributed around it with this tail index (default 1.3). */
  medianTipWei?: bigint
  tailIndex?: number
  /** Share of legacy (gasPrice) transactions (default 0.15). */
  legacyShare?: number
  /** Share with a 0 or 1 wei tip, which τ ignores (default 0.05). */
  dustTipShare?: number
  /** Deterministic choices (default 1). */
  seed?: number
  /**
   * One pending transaction per sender (default false): a sender waits for its transaction to be mined
   * before sending again, as independent users do. Without it a sender whose transaction is priced out
   * holds every later one behind its nonce, and a spike empties blocks instead of filling them.
   */
  exclusiveSenders?: boolean
  /**
   * With exclusive senders: a transaction still pending this many blocks after it was sent is given up
   * (hardhat_dropTransaction) and its sender sends anew, as a user cancels or replaces one (default 12).
   */
  abandonAfterBlocks?: number
  /** Keep each sent transaction (for the inclusion benchmark; default true). */
  keepSent?: boolean
}

export type LoadGenerator = {
  readonly sent: readonly SentTransaction[]
  readonly sentCount: number
  readonly errors: number
  /** Sends skipped because every sender picked had a transaction pending (exclusiveSenders). */
  readonly skipped: number
  /** Users who did not send: their valuation was under the base fee (valuationWei). */
  readonly pricedOut: number
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
  spikeRate = 40,
  spikeMs = 0,
  spikePeriodMs = 60_000,
  medianTipWei = 1_000_000_000n,
  tailIndex = 1.3,
  legacyShare = 0.15,
  dustTipShare = 0.05,
  seed = 1,
  exclusiveSenders = false,
  valuationWei,
  valuationSpread = 0.5,
  spikeValuationFactor = 3,
  spikeTipFactor = 1,
  abandonAfterBlocks = 12,
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

  // With exclusive senders: who has a transaction in the mempool (by hash), freed when a block holds it.
  const pendingBy = new Map<string, { from: `0x${string}`; block: number }>()
  const busy = new Set<string>()
  let skipped = 0
  const pickSender = (): `0x${string}` | undefined => {
    if (!exclusiveSenders) return accounts[Math.floor(random() * accounts.length)]!
    for (let attempt = 0; attempt < 8; attempt++) {
      const candidate = accounts[Math.floor(random() * accounts.length)]!
      if (!busy.has(candidate)) return candidate
    }
    return undefined
  }

  const standardNormal = () => {
    const u = Math.max(random(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
  }
  let pricedOut = 0
  let inSpike = false

  const sendOne = async () => {
    // The user's valuation (when modelled): under the base fee, no transaction.
    let valuation: bigint | undefined
    if (valuationWei !== undefined) {
      const factor = Math.exp(valuationSpread * standardNormal()) * (inSpike ? spikeValuationFactor : 1)
      valuation = (valuationWei * BigInt(Math.round(factor * 1_000_000))) / 1_000_000n
      if (valuation < (baseFee * 102n) / 100n) {
        pricedOut++
        return
      }
    }
    const picked = pickSender()
    if (picked === undefined) {
      skipped++
      return
    }
    const from = picked
    if (exclusiveSenders) busy.add(from)
    const to = accounts[Math.floor(random() * accounts.length)]!
    const dust = random() < dustTipShare
    const tip = dust
      ? BigInt(Math.floor(random() * 2))
      : inSpike && spikeTipFactor !== 1
        ? (pareto() * BigInt(Math.round(spikeTipFactor * 1000))) / 1000n
        : pareto()
    // Caps from barely above the base fee to 3×: tight ones get their tip cut to maxFee - baseFee, or wait.
    const capFactor = 1.02 + random() * random() * 2
    const relative = (baseFee * BigInt(Math.round(capFactor * 1000))) / 1000n
    const cap = (valuation !== undefined && valuation < relative ? valuation : relative) + tip
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
      if (exclusiveSenders) pendingBy.set(hash, { from, block: blockNumber })
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
      busy.delete(from)
    }
  }

  /** Frees the senders whose transactions blocks after..head hold, and those who give up waiting. */
  const freeSenders = async (after: number, head: number) => {
    for (let n = Math.max(after + 1, head - 20); n <= head; n++) {
      const block = await jsonRpc<{ transactions: string[] }>(
        url,
        'eth_getBlockByNumber',
        [toHex(n), false],
        5_000,
      )
      for (const hash of block.transactions) {
        const pending = pendingBy.get(hash)
        if (pending === undefined) continue
        pendingBy.delete(hash)
        busy.delete(pending.from)
      }
    }
    for (const [hash, pending] of pendingBy) {
      if (pending.block > head - abandonAfterBlocks) continue
      // Dropped, or no longer in the mempool (mined in a block not scanned): either way the sender is free.
      await jsonRpc(url, 'hardhat_dropTransaction', [hash], 5_000).catch(() => undefined)
      pendingBy.delete(hash)
      busy.delete(pending.from)
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
      const previous = blockNumber
      blockNumber = Number(block.number)
      if (block.baseFeePerGas) baseFee = BigInt(block.baseFeePerGas)
      if (exclusiveSenders && blockNumber > previous) await freeSenders(previous, blockNumber)
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
    // Spikes start half a period in, so a run's warm-up sees calm and bursts first.
    inSpike = spikeMs > 0 && (now - started + spikePeriodMs / 2) % spikePeriodMs < spikeMs
    const rate = inSpike ? spikeRate : inBurst ? burstRate : calmRate
    // Expected sends this tick, with the fraction carried: a steady, seeded approximation of a Poisson stream.
    carry += (rate * tickMs) / 1000
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
    get skipped() {
      return skipped
    },
    get pricedOut() {
      return pricedOut
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      await Promise.allSettled([...inFlight])
    },
  }
}

/**
 * Inclusion benchmark (issue 6): do wallets that follow feecast get in as promised?
 *
 * A real `hardhat node` (interval mining, a small block gas limit) under the load generator of the tests
 * (a fee market: users with valuations, heavy-tailed tips, bursts above block capacity and a fee spike
 * every minute; see `defaultLoad`), the real `feecast start` as a child process against it
 * (nothing tuned to the generator), and wallets that, one decision at a time, ask GET /predict and send a
 * transfer with feecast's fees for (p, N) in {50, 90, 99} × {1, 3, 10}, or with viem's
 * `estimateFeesPerGas()` / ethers v6's `getFeeData()` defaults. Every decision sends from a fresh account
 * (funded with hardhat_setBalance), so a stuck transaction never blocks the next one through its nonce.
 *
 * "Within N blocks" counts from the head the node reported right after it accepted the transaction: it was in
 * the mempool for blocks head+1 … head+N. Stuck = rejected at send (maxFee below the next base fee) or never
 * included by the end of the drain; priced out = not included within N while its maxFee was below the base
 * fee of one of those N blocks.
 *
 *   npx tsx bench/inclusion.ts [--decisions 660] [--interval-ms 1000] [--block-gas-limit 500000]
 *
 * Writes bench/results/inclusion.json and bench/results/inclusion-reliability.svg; progress on stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPublicClient, http, type PublicClient } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { hardhat } from 'viem/chains'
import { freePort } from '../src/lib/freePort.js'
import { type HardhatNode, startHardhatNode } from '../test/support/hardhatNode.js'
import {
  type LoadGenerator,
  type StartLoadGeneratorParameters,
  seededRandom,
  startLoadGenerator,
} from '../test/support/loadGenerator.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

export const confidences = [50, 90, 99] as const
export const horizons = [1, 3, 10] as const

export type Strategy =
  | { kind: 'feecast'; confidence: number; withinBlocks: number }
  | { kind: 'viem' }
  | { kind: 'ethers' }

export const strategyName = (s: Strategy) =>
  s.kind === 'feecast' ? `feecast p${s.confidence} N${s.withinBlocks}` : `${s.kind} default`

export const allStrategies: Strategy[] = [
  ...confidences.flatMap((confidence) =>
    horizons.map((withinBlocks): Strategy => ({ kind: 'feecast', confidence, withinBlocks })),
  ),
  { kind: 'viem' },
  { kind: 'ethers' },
]

export type Decision = {
  index: number
  strategy: string
  maxFeePerGas: string
  maxPriorityFeePerGas: string
  /** feecast only: the prediction's block and pending (next) base fee. */
  predictionBlock: number | null
  pendingBaseFeePerGas: string | null
  trust: string | null
  /** The head right after the node accepted the transaction (null when it was rejected). */
  sentAtBlock: number | null
  hash: string | null
  rejected: string | null
  includedBlock: number | null
  status: 'success' | 'reverted' | null
  effectiveGasPrice: string | null
}

export type Row = {
  strategy: string
  confidence: number | null
  withinBlocks: number
  decisions: number
  includedWithin: number
  share: number
  ci95: [number, number]
  /** feecast rows: p/100 ≤ upper CI bound (the promise is compatible with what was seen). */
  meetsPromise: boolean | null
  late: number
  stuck: number
  pricedOut: number
  meanPaidGwei: number | null
  meanMaxFeeGwei: number
}

/**
 * The load: a fee market with users who stop sending when the fee passes what they will pay (so the
 * base fee settles near 20 gwei, blocks about half full), short bursts above capacity every 9 s, and
 * every minute a 20 s spike (a mint, a crash) where demand and valuations triple, tips quadruple and
 * the base fee climbs block after block. Tips are heavy-tailed around 1 gwei. Each sender has one transaction in
 * flight (gives up after 12 blocks), so priced-out transactions do not block a sender's later ones.
 */
export const defaultLoad = {
  calmRate: 12,
  burstRate: 40,
  burstMs: 3_000,
  periodMs: 9_000,
  spikeRate: 45,
  spikeMs: 20_000,
  spikePeriodMs: 60_000,
  valuationWei: 20_000_000_000n,
  valuationSpread: 0.5,
  spikeValuationFactor: 3,
  spikeTipFactor: 4,
  medianTipWei: 1_000_000_000n,
  exclusiveSenders: true,
  abandonAfterBlocks: 12,
} satisfies LoadShape

export type LoadShape = Omit<StartLoadGeneratorParameters, 'url' | 'accounts' | 'seed' | 'keepSent'>

/** Funded accounts on the node: the load's senders (all but the last ten) and the wallets' recipient. */
const nodeAccounts = 200

/** Issue 6's bar at p = 90, per horizon: late or stuck against viem's, mean fee paid against ethers'. */
export type Verdict = {
  /** Every feecast (p, N): p within the 95 % interval of what was seen, or below it. */
  promiseMet: boolean
  p90: Array<{ withinBlocks: number; feecastLateOrStuck: number; viemLateOrStuck: number }>
  /**
   * Fewer in total over the horizons: feecast's p = 90 wallets, each judged at its own N, against viem's
   * wallets judged at the same N's (a calibrated p = 90 is late about one time in ten by design, so at
   * N = 1 viem's flat 1 gwei tip can do better while its 1.2x cap fails at longer horizons).
   */
  fewerLateOrStuckThanViem: boolean
  p90MeanPaidGwei: number | null
  ethersMeanPaidGwei: number | null
  cheaperThanEthers: boolean
}

export type InclusionReport = {
  date: string
  command: string
  settings: Record<string, number>
  /** The load's shape (wei as decimal strings) and what it did. */
  load: Record<string, number | string | boolean | undefined> & {
    sent: number
    errors: number
    skipped: number
    pricedOut: number
  }
  verdict: Verdict
  chain: {
    firstBlock: number
    lastBlock: number
    minBaseFeeGwei: number
    maxBaseFeeGwei: number
    fullBlocks: number
  }
  ethersPriorityFeeSource: string
  /** Every block of the run: the fee path the wallets faced. */
  blocks: Array<{
    number: number
    baseFeeGwei: number
    /** gasUsed / gasLimit, rounded to 3 places for reading. */
    gasUsedRatio: number
    /** gasUsed ≥ 95 % of gasLimit, exactly (the rounded ratio can read 0.95 for 94.96 %). */
    full: boolean
    transactions: number
  }>
  rows: Row[]
  decisions: Decision[]
}

/** Wilson score interval for k successes in n trials (z = 1.96 for 95 %). */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1]
  const p = k / n
  const z2 = z * z
  const center = (p + z2 / (2 * n)) / (1 + z2 / n)
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n)
  return [Math.max(0, center - half), Math.min(1, center + half)]
}

type Estimate = {
  confidence: number
  withinBlocks: number
  maxPriorityFeePerGas: string
  maxFeePerGas: string
}
type PredictResponse = {
  blockNumber: number
  pendingBaseFeePerGas: string
  stale: boolean
  estimates: Estimate[]
  trust: { label: string }
}

async function startFeecast(rpcUrl: string, chainId: number, log: (line: string) => void) {
  const port = await freePort()
  const stateDir = await mkdtemp(join(tmpdir(), 'feecast-inclusion-'))
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin', 'feecast.mjs'), 'start'], {
    cwd: root,
    env: {
      ...process.env,
      [`RPC_URL_${chainId}`]: rpcUrl,
      PORT: String(port),
      FEECAST_STATE_DIR: stateDir,
      HISTORY_BLOCKS: '256',
      BACKFILL_FULL_BLOCKS: '200',
      POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let tail = ''
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let exited = false
  child.once('exit', (code) => {
    exited = true
    if (code !== 0 && code !== null) log(`feecast exited with code ${code}:\n${tail}`)
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    get exited() {
      return exited
    },
    get tail() {
      return tail
    },
    async predict(): Promise<PredictResponse> {
      const response = await fetch(`${url}/predict?chainId=${chainId}`, {
        signal: AbortSignal.timeout(5_000),
      })
      if (!response.ok) throw new Error(`GET /predict: HTTP ${response.status}`)
      return (await response.json()) as PredictResponse
    },
    async stop() {
      if (!exited) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
          child.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          child.kill('SIGTERM')
        })
      }
      await rm(stateDir, { recursive: true, force: true })
    },
  }
}

/** ethers v6 `getFeeData()`: tip from eth_maxPriorityFeePerGas (1 gwei if that fails), maxFee = 2 × latest base fee + tip. */
async function ethersDefaultFees(client: PublicClient) {
  const [block, priority] = await Promise.all([
    client.getBlock({ blockTag: 'latest' }),
    client
      .request({ method: 'eth_maxPriorityFeePerGas' })
      .then((v) => ({ value: BigInt(v), source: 'eth_maxPriorityFeePerGas' }))
      .catch(() => ({ value: 1_000_000_000n, source: 'fallback 1 gwei' })),
  ])
  const baseFee = block.baseFeePerGas ?? 0n
  return {
    maxPriorityFeePerGas: priority.value,
    maxFeePerGas: 2n * baseFee + priority.value,
    source: priority.source,
  }
}

export type RunInclusionParameters = {
  decisions?: number
  strategies?: Strategy[]
  intervalMs?: number
  blockGasLimit?: number
  /** Blocks of load before the first decision (feecast learns the market like in production). */
  warmupBlocks?: number
  /** Pause between decisions (ms). */
  decisionGapMs?: number
  /** Blocks waited after the last decision's horizon before what is not in counts as stuck. */
  drainBlocks?: number
  /** The load generator's shape (default `defaultLoad`). */
  loadShape?: LoadShape
  seed?: number
  log?: (line: string) => void
}

export async function runInclusionBenchmark({
  decisions = 660,
  strategies = allStrategies,
  intervalMs = 1000,
  blockGasLimit = 500_000,
  warmupBlocks = 40,
  decisionGapMs = 250,
  drainBlocks = 20,
  loadShape = defaultLoad,
  seed = 6,
  log = (line) => process.stderr.write(`${line}\n`),
}: RunInclusionParameters = {}): Promise<InclusionReport> {
  const started = Date.now()
  let node: HardhatNode | undefined
  let load: LoadGenerator | undefined
  let feecast: Awaited<ReturnType<typeof startFeecast>> | undefined
  try {
    log(`starting hardhat node (interval ${intervalMs} ms, block gas limit ${blockGasLimit})`)
    node = await startHardhatNode({ intervalMs, blockGasLimit, accounts: nodeAccounts })
    const client = createPublicClient({ chain: hardhat, transport: http(node.url) }) as PublicClient
    const chainId = node.chainId
    // The generator's senders: the funded accounts but the last ten (the miner among them); wallets use fresh keys.
    load = startLoadGenerator({
      url: node.url,
      accounts: node.accounts.slice(0, nodeAccounts - 10),
      seed,
      keepSent: false,
      ...loadShape,
    })
    log('starting feecast (child process: node bin/feecast.mjs start)')
    feecast = await startFeecast(node.url, chainId, log)
    const firstBlock = await node.blockNumber()

    // Warm-up: feecast follows the chain and has to publish predictions for a recent head.
    const warmDeadline = Date.now() + Math.max(180_000, warmupBlocks * intervalMs * 4)
    for (;;) {
      if (feecast.exited) throw new Error(`feecast exited during warm-up:\n${feecast.tail}`)
      if (Date.now() > warmDeadline)
        throw new Error(`feecast had no fresh prediction in time:\n${feecast.tail}`)
      const head = await node.blockNumber()
      const prediction = await feecast.predict().catch(() => null)
      log(
        `warm-up: block ${head}/${firstBlock + warmupBlocks}, prediction ${prediction ? `at ${prediction.blockNumber}` : 'none yet'}`,
      )
      if (prediction && head >= firstBlock + warmupBlocks && prediction.blockNumber >= head - 2) break
      await sleep(2_000)
    }

    const random = seededRandom(seed + 1)
    const order = Array.from({ length: decisions }, (_, i) => strategies[i % strategies.length]!)
    // Shuffle within each round so no strategy always follows another.
    for (let r = 0; r < order.length; r += strategies.length) {
      const end = Math.min(order.length, r + strategies.length)
      for (let i = end - 1; i > r; i--) {
        const j = r + Math.floor(random() * (i - r + 1))
        ;[order[i], order[j]] = [order[j]!, order[i]!]
      }
    }

    let ethersPriorityFeeSource = 'unused'
    const made: Decision[] = []
    for (const [index, strategy] of order.entries()) {
      if (feecast.exited) throw new Error(`feecast exited during the benchmark:\n${feecast.tail}`)
      let maxFeePerGas: bigint
      let maxPriorityFeePerGas: bigint
      let predictionBlock: number | null = null
      let pendingBaseFeePerGas: string | null = null
      let trust: string | null = null
      if (strategy.kind === 'feecast') {
        // A transient HTTP failure is retried; a wallet would too.
        const prediction = await feecast
          .predict()
          .catch(() => sleep(500).then(() => feecast!.predict()))
          .catch(() => sleep(1_000).then(() => feecast!.predict()))
        const estimate = prediction.estimates.find(
          (e) => e.confidence === strategy.confidence && e.withinBlocks === strategy.withinBlocks,
        )
        if (!estimate) throw new Error(`GET /predict has no estimate for ${strategyName(strategy)}`)
        maxFeePerGas = BigInt(estimate.maxFeePerGas)
        maxPriorityFeePerGas = BigInt(estimate.maxPriorityFeePerGas)
        predictionBlock = prediction.blockNumber
        pendingBaseFeePerGas = prediction.pendingBaseFeePerGas
        trust = prediction.trust.label
      } else if (strategy.kind === 'viem') {
        const fees = await client.estimateFeesPerGas()
        maxFeePerGas = fees.maxFeePerGas
        maxPriorityFeePerGas = fees.maxPriorityFeePerGas
      } else {
        const fees = await ethersDefaultFees(client)
        maxFeePerGas = fees.maxFeePerGas
        maxPriorityFeePerGas = fees.maxPriorityFeePerGas
        ethersPriorityFeeSource = fees.source
      }
      const account = privateKeyToAccount(generatePrivateKey())
      await node.rpc('hardhat_setBalance', [account.address, '0x56bc75e2d63100000'])
      const signed = await account.signTransaction({
        chainId,
        type: 'eip1559',
        nonce: 0,
        to: node.accounts[nodeAccounts - 1]!,
        value: 1n,
        gas: 21_000n,
        maxFeePerGas,
        maxPriorityFeePerGas,
      })
      const decision: Decision = {
        index,
        strategy: strategyName(strategy),
        maxFeePerGas: maxFeePerGas.toString(),
        maxPriorityFeePerGas: maxPriorityFeePerGas.toString(),
        predictionBlock,
        pendingBaseFeePerGas,
        trust,
        sentAtBlock: null,
        hash: null,
        rejected: null,
        includedBlock: null,
        status: null,
        effectiveGasPrice: null,
      }
      try {
        decision.hash = await client.sendRawTransaction({ serializedTransaction: signed })
        decision.sentAtBlock = await node.blockNumber()
      } catch (error) {
        decision.rejected = (error instanceof Error ? error.message : String(error))
          .split('\n')[0]!
          .slice(0, 200)
      }
      made.push(decision)
      if ((index + 1) % 20 === 0 || index + 1 === order.length)
        log(
          `decisions ${index + 1}/${order.length}, head ${await node.blockNumber()}, load sent ${load.sentCount}, ${Math.round((Date.now() - started) / 1000)} s`,
        )
      await sleep(decisionGapMs)
    }

    // Drain: wait until every decision's horizon plus drainBlocks has been mined, or all are in.
    const lastSent = Math.max(...made.map((d) => d.sentAtBlock ?? 0))
    const until = lastSent + Math.max(...horizons) + drainBlocks
    const pending = new Set(made.filter((d) => d.hash))
    for (;;) {
      for (const d of [...pending]) {
        const receipt = await client
          .getTransactionReceipt({ hash: d.hash as `0x${string}` })
          .catch(() => null)
        if (receipt) {
          d.includedBlock = Number(receipt.blockNumber)
          d.status = receipt.status
          d.effectiveGasPrice = receipt.effectiveGasPrice.toString()
          pending.delete(d)
        }
      }
      const head = await node.blockNumber()
      if (pending.size === 0 || head >= until) break
      log(`draining: head ${head}/${until}, ${pending.size} not yet included`)
      await sleep(2_000)
    }
    await load.stop()
    const lastBlock = await node.blockNumber()

    // Base fees of every block in range, for "priced out".
    const baseFees = new Map<number, bigint>()
    const blocks: InclusionReport['blocks'] = []
    for (let n = firstBlock; n <= lastBlock; n++) {
      const block = await client.getBlock({ blockNumber: BigInt(n) })
      baseFees.set(n, block.baseFeePerGas ?? 0n)
      blocks.push({
        number: n,
        baseFeeGwei: Number(block.baseFeePerGas ?? 0n) / 1e9,
        gasUsedRatio: Math.round((Number(block.gasUsed) / Number(block.gasLimit)) * 1000) / 1000,
        full: block.gasUsed * 100n >= block.gasLimit * 95n,
        transactions: block.transactions.length,
      })
    }
    const fullBlocks = blocks.filter((b) => b.full).length
    const fees = [...baseFees.values()].map(Number)

    const rows: Row[] = []
    for (const strategy of strategies) {
      const name = strategyName(strategy)
      const mine = made.filter((d) => d.strategy === name)
      const ns = strategy.kind === 'feecast' ? [strategy.withinBlocks] : [...horizons]
      for (const n of ns) {
        const within = (d: Decision) =>
          d.includedBlock !== null && d.sentAtBlock !== null && d.includedBlock <= d.sentAtBlock + n
        const includedWithin = mine.filter(within).length
        const stuck = mine.filter((d) => d.includedBlock === null).length
        const late = mine.filter((d) => d.includedBlock !== null && !within(d)).length
        const pricedOut = mine.filter((d) => {
          if (within(d)) return false
          if (d.sentAtBlock === null) return true
          const cap = BigInt(d.maxFeePerGas)
          for (let b = d.sentAtBlock + 1; b <= d.sentAtBlock + n; b++)
            if ((baseFees.get(b) ?? 0n) > cap) return true
          return false
        }).length
        const paid = mine
          .filter((d) => d.effectiveGasPrice !== null)
          .map((d) => Number(d.effectiveGasPrice) / 1e9)
        const ci95 = wilson(includedWithin, mine.length)
        rows.push({
          strategy: name,
          confidence: strategy.kind === 'feecast' ? strategy.confidence : null,
          withinBlocks: n,
          decisions: mine.length,
          includedWithin,
          share: mine.length ? includedWithin / mine.length : 0,
          ci95,
          meetsPromise: strategy.kind === 'feecast' ? strategy.confidence / 100 <= ci95[1] : null,
          late,
          stuck,
          pricedOut,
          meanPaidGwei: paid.length ? paid.reduce((a, b) => a + b, 0) / paid.length : null,
          meanMaxFeeGwei:
            mine.reduce((a, d) => a + Number(d.maxFeePerGas) / 1e9, 0) / Math.max(1, mine.length),
        })
      }
    }

    return {
      date: new Date().toISOString(),
      command: 'npx tsx bench/inclusion.ts',
      settings: { decisions, intervalMs, blockGasLimit, warmupBlocks, decisionGapMs, drainBlocks, seed },
      chain: {
        firstBlock,
        lastBlock,
        minBaseFeeGwei: Math.min(...fees) / 1e9,
        maxBaseFeeGwei: Math.max(...fees) / 1e9,
        fullBlocks,
      },
      blocks,
      load: {
        ...Object.fromEntries(
          Object.entries(loadShape).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
        ),
        sent: load.sentCount,
        errors: load.errors,
        skipped: load.skipped,
        pricedOut: load.pricedOut,
      },
      verdict: verdictOf(rows),
      ethersPriorityFeeSource,
      rows,
      decisions: made,
    }
  } finally {
    await load?.stop()
    await feecast?.stop()
    await node?.stop()
  }
}

export function verdictOf(rows: readonly Row[]): Verdict {
  const lateOrStuck = (r: Row | undefined) => (r ? r.late + r.stuck : 0)
  const p90 = horizons
    .map((n) => ({
      n,
      feecast: rows.find((r) => r.confidence === 90 && r.withinBlocks === n),
      viem: rows.find((r) => r.strategy === 'viem default' && r.withinBlocks === n),
    }))
    .filter((x) => x.feecast && x.viem)
    .map(({ n, feecast, viem }) => ({
      withinBlocks: n,
      feecastLateOrStuck: lateOrStuck(feecast),
      viemLateOrStuck: lateOrStuck(viem),
    }))
  const paid = (rs: Row[]) => {
    // Mean over the decisions (each row's mean weighted by its included count).
    const weighted = rs.filter((r) => r.meanPaidGwei !== null)
    const n = weighted.reduce((a, r) => a + r.includedWithin + r.late, 0)
    return n === 0
      ? null
      : weighted.reduce((a, r) => a + r.meanPaidGwei! * (r.includedWithin + r.late), 0) / n
  }
  const p90MeanPaidGwei = paid(rows.filter((r) => r.confidence === 90))
  const ethersMeanPaidGwei = paid(rows.filter((r) => r.strategy === 'ethers default' && r.withinBlocks === 1))
  return {
    promiseMet: rows.every((r) => r.meetsPromise !== false),
    p90,
    fewerLateOrStuckThanViem:
      p90.length > 0 &&
      p90.reduce((a, x) => a + x.feecastLateOrStuck, 0) < p90.reduce((a, x) => a + x.viemLateOrStuck, 0),
    p90MeanPaidGwei,
    ethersMeanPaidGwei,
    cheaperThanEthers:
      p90MeanPaidGwei !== null && ethersMeanPaidGwei !== null && p90MeanPaidGwei < ethersMeanPaidGwei,
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Promised p against realized inclusion within N, one series per N, with 95 % Wilson intervals. */
export function inclusionReliabilitySvg(rows: readonly Row[]): string {
  const W = 620
  const H = 480
  const m = { left: 64, right: 140, top: 44, bottom: 54 }
  const pw = W - m.left - m.right
  const ph = H - m.top - m.bottom
  const lo = 40
  const x = (p: number) => m.left + ((p - lo) / (100 - lo)) * pw
  const y = (p: number) => m.top + ph - ((Math.max(lo, p) - lo) / (100 - lo)) * ph
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c']
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.left}" y="24" font-size="15">Inclusion within N blocks: promised vs realized (95 % Wilson CI)</text>`,
    `<line x1="${x(lo)}" y1="${y(lo)}" x2="${x(100)}" y2="${y(100)}" stroke="#999" stroke-dasharray="4 4"/>`,
  ]
  for (let t = lo; t <= 100; t += 10) {
    out.push(`<line x1="${x(lo)}" y1="${y(t)}" x2="${x(100)}" y2="${y(t)}" stroke="#eee"/>`)
    out.push(`<text x="${m.left - 8}" y="${y(t) + 4}" text-anchor="end">${t}%</text>`)
    out.push(`<text x="${x(t)}" y="${m.top + ph + 18}" text-anchor="middle">${t}%</text>`)
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`)
  out.push(`<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">promised p</text>`)
  out.push(
    `<text x="16" y="${m.top + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${m.top + ph / 2})">realized inclusion</text>`,
  )
  horizons.forEach((n, i) => {
    const color = colors[i]!
    const series = rows
      .filter((r) => r.confidence !== null && r.withinBlocks === n)
      .sort((a, b) => a.confidence! - b.confidence!)
    const dx = (i - 1) * 5
    const points = series.map((r) => `${x(r.confidence!) + dx},${y(r.share * 100)}`).join(' ')
    out.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"/>`)
    for (const r of series) {
      const cx = x(r.confidence!) + dx
      out.push(
        `<line x1="${cx}" y1="${y(r.ci95[0] * 100)}" x2="${cx}" y2="${y(r.ci95[1] * 100)}" stroke="${color}" stroke-width="1.5"/>`,
        `<circle cx="${cx}" cy="${y(r.share * 100)}" r="4" fill="${color}"/>`,
      )
    }
    out.push(
      `<line x1="${m.left + pw + 14}" y1="${m.top + 20 + i * 20}" x2="${m.left + pw + 34}" y2="${m.top + 20 + i * 20}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${m.left + pw + 40}" y="${m.top + 24 + i * 20}">N = ${n}</text>`,
    )
  })
  out.push(
    `<text x="${m.left + pw + 14}" y="${m.top + 92}" fill="#666">dashed: ideal</text>`,
    `<text x="${m.left + pw + 14}" y="${m.top + 108}" fill="#666">below ${lo}% drawn at ${lo}%</text>`,
    '</svg>',
  )
  return `${out.join('\n')}\n`
}

export function formatRows(rows: readonly Row[]): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`
  const lines = [
    'strategy              N   n  within  share   95% CI           late stuck pricedOut  paid gwei  maxFee gwei',
  ]
  for (const r of rows)
    lines.push(
      [
        r.strategy.padEnd(20),
        String(r.withinBlocks).padStart(3),
        String(r.decisions).padStart(4),
        String(r.includedWithin).padStart(6),
        pct(r.share).padStart(7),
        `[${pct(r.ci95[0])}, ${pct(r.ci95[1])}]`.padEnd(17),
        String(r.late).padStart(4),
        String(r.stuck).padStart(5),
        String(r.pricedOut).padStart(9),
        (r.meanPaidGwei === null ? '-' : r.meanPaidGwei.toFixed(3)).padStart(10),
        r.meanMaxFeeGwei.toFixed(3).padStart(12),
      ].join(' '),
    )
  return lines.join('\n')
}

async function main() {
  const args = process.argv.slice(2)
  const arg = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`)
    if (i < 0) return fallback
    const v = Number(args[i + 1])
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`--${name} needs a positive number`)
    return v
  }
  const report = await runInclusionBenchmark({
    decisions: arg('decisions', 660),
    intervalMs: arg('interval-ms', 1000),
    blockGasLimit: arg('block-gas-limit', 500_000),
    warmupBlocks: arg('warmup-blocks', 40),
  })
  const results = join(root, 'bench', 'results')
  await mkdir(results, { recursive: true })
  await writeFile(join(results, 'inclusion.json'), `${JSON.stringify(report, null, 1)}\n`)
  await writeFile(join(results, 'inclusion-reliability.svg'), inclusionReliabilitySvg(report.rows))
  process.stderr.write(
    `\n${formatRows(report.rows)}\n\nchain: blocks ${report.chain.firstBlock}-${report.chain.lastBlock}, base fee ${report.chain.minBaseFeeGwei.toFixed(3)}-${report.chain.maxBaseFeeGwei.toFixed(3)} gwei, ${report.chain.fullBlocks} full blocks; load sent ${report.load.sent}\n${JSON.stringify(report.verdict)}\nwrote bench/results/inclusion.json, bench/results/inclusion-reliability.svg\n`,
  )
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exit(1)
    },
  )
}

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { confidenceLevels, horizons } from '@feecast/client'
import type { Devchain } from '../../src/devchain/startDevchain.js'
import { storeKeys } from '../../src/store/keys.js'
import { readHead } from '../../src/store/readHead.js'
import type { StoreClient } from '../../src/store/scripts.js'
import { type FeecastProcess, startFeecast } from './feecastProcess.js'
import { waitFor } from './waitFor.js'

/**
 * One failover under load, the way an operator lives it: feecast processes (sampler, predictor, API)
 * on a devchain and a highly available Redis, requests flowing, a Redis primary SIGKILLed; then the
 * figures the issue asks for. Shared by the HA tests (which assert what must hold) and bench/failover.ts
 * (which saves the figures).
 */

export type LoadCounts = Record<string, number>

/** Requests to /predict from `concurrency` loops until stopped, counted by status ('error' for no answer). */
export function startLoad(urls: readonly string[], concurrency = 8) {
  const counts: LoadCounts = {}
  const during: LoadCounts = {}
  let window: { from: number; to: number } | null = null
  let stopping = false
  const loop = async (i: number) => {
    const url = urls[i % urls.length]!
    while (!stopping) {
      let key: string
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
        await response.arrayBuffer()
        key = String(response.status)
      } catch {
        key = 'error'
        await new Promise((r) => setTimeout(r, 20))
      }
      counts[key] = (counts[key] ?? 0) + 1
      const t = Date.now()
      if (window && t >= window.from && t <= window.to) during[key] = (during[key] ?? 0) + 1
    }
  }
  const loops = Array.from({ length: concurrency }, (_, i) => loop(i))
  return {
    counts,
    /** Answers counted from `from` until `to` (the failover). */
    during,
    watch(from: number, to: number) {
      window = { from, to }
    },
    async stop() {
      stopping = true
      await Promise.all(loops)
    },
  }
}

export type ChainFigures = {
  chainId: number
  /** The stored window checked: its lowest and highest block. */
  from: number
  to: number
  /** Numbers in the window without a record (must be 0). */
  missing: number
  /** Numbers with more than one record (must be 0). */
  duplicated: number
  /** Records whose hash differs from the chain's block (a stale writer's overwrite; must be 0). */
  overwritten: number
  /** Scores the predictors exported (their /metrics), and the scores the stored calibration state counts. */
  scoresExported: number
  scoresStored: number
}

/** What the store holds for a chain, against the devchain (the source of truth) and the predictors' metrics. */
export async function chainFigures(
  redis: StoreClient,
  devchain: Devchain,
  processes: readonly FeecastProcess[],
): Promise<ChainFigures> {
  const { chainId } = devchain
  const keys = storeKeys(chainId)
  const members = (await redis.zrange(keys.blocks, 0, -1, 'WITHSCORES')) as string[]
  const perNumber = new Map<number, string[]>()
  for (let i = 0; i < members.length; i += 2) {
    const n = Number(members[i + 1])
    perNumber.set(n, [...(perNumber.get(n) ?? []), members[i]!])
  }
  const numbers = [...perNumber.keys()].sort((a, b) => a - b)
  const from = numbers[0] ?? 0
  const to = numbers.at(-1) ?? -1
  let missing = 0
  let duplicated = 0
  let overwritten = 0
  for (let n = from; n <= to; n++) {
    const records = perNumber.get(n)
    if (!records) missing++
    else if (records.length > 1) duplicated++
  }
  // Records fetched whole carry the block hash: it must be the chain's.
  for (const [n, records] of perNumber) {
    const hash = /"hash":"(0x[0-9a-f]{64})"/.exec(records[0]!)?.[1]
    if (!hash) continue
    const block = (await rpc(devchain.url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false])) as {
      hash: string
    } | null
    if (block?.hash !== hash) overwritten++
  }
  const state = JSON.parse((await redis.get(keys.calibration)) ?? 'null') as {
    baseFee: { horizons: number[]; confidences: number[]; scored: number[][] }
  } | null
  let scoresStored = 0
  state?.baseFee.horizons.forEach((n, h) => {
    if (n < 2 || !(horizons as readonly number[]).includes(n)) return
    state.baseFee.confidences.forEach((p, c) => {
      if ((confidenceLevels as readonly number[]).includes(p)) scoresStored += state.baseFee.scored[h]![c]!
    })
  })
  const exported = async () => {
    let sum = 0
    for (const p of processes) {
      const text = await (await fetch(`${p.url}/metrics`)).text()
      for (const line of text.split('\n'))
        if (line.startsWith('feecast_calibration_scored_total{') && line.includes(`chain_id="${chainId}"`))
          sum += Number(line.split(' ').at(-1))
    }
    return sum
  }
  // A predictor counts its scores just after it stores them: the counter may trail the store briefly.
  const scoresExported = await waitFor(
    async () => {
      const n = await exported()
      return n === scoresStored ? n : undefined
    },
    { timeoutMs: 10_000, message: 'exported scores to reach the stored ones' },
  ).catch(exported)
  return { chainId, from, to, missing, duplicated, overwritten, scoresExported, scoresStored }
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return ((await response.json()) as { result: unknown }).result
}

/** Starts `count` feecast processes on the devchains and the store given by `storeEnv`. */
export async function startFeecasts(
  count: number,
  devchains: readonly Devchain[],
  storeEnv: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<FeecastProcess[]> {
  const env: Record<string, string> = {
    ...storeEnv,
    EMBEDDED_REDIS: 'off',
    LEASE_TTL_MS: '2000',
    POLL_INTERVAL_MS: '200',
    HISTORY_BLOCKS: '64',
    BACKFILL_FULL_BLOCKS: '16',
    RATE_LIMIT_PER_SECOND: '0',
    METRICS_RATE_LIMIT_PER_SECOND: '0',
    LOG_LEVEL: 'info',
    ...extraEnv,
  }
  for (const d of devchains) env[`RPC_URL_${d.chainId}`] = d.url
  const started: FeecastProcess[] = []
  for (let i = 0; i < count; i++) started.push(await startFeecast({ env }))
  return started
}

/** Waits until every process answers /predict for every chain. */
export async function waitForPredictions(processes: readonly FeecastProcess[], chainIds: readonly number[]) {
  for (const p of processes)
    for (const chainId of chainIds)
      await waitFor(
        async () => (await fetch(`${p.url}/predict?chainId=${chainId}`).catch(() => null))?.status === 200,
        {
          timeoutMs: 60_000,
          intervalMs: 250,
          message: () => `${p.url} predicting chain ${chainId}\n${p.output().slice(-3000)}`,
        },
      )
}

/**
 * Seconds from `killedAt` until the stored head (read by `storedHead`, which may fail while Redis fails
 * over) passes `headAtKill`: writes resumed.
 */
export async function secondsUntilWritesResume(
  storedHead: () => Promise<number | null>,
  chainId: number,
  headAtKill: number,
  killedAt: number,
): Promise<number> {
  await waitFor(
    async () => {
      const head = await storedHead().catch(() => null)
      return head !== null && head > headAtKill
    },
    { timeoutMs: 60_000, intervalMs: 50, message: `writes of chain ${chainId} resuming after the failover` },
  )
  return Math.round((Date.now() - killedAt) / 100) / 10
}

/** Waits until the store's head of every chain is the devchain's head (the devchains paused). */
export async function waitForCatchUp(redis: StoreClient, devchains: readonly Devchain[]) {
  for (const d of devchains)
    await waitFor(
      async () => (await readHead(redis, { chainId: d.chainId }).catch(() => null))?.number === d.head(),
      { timeoutMs: 60_000, intervalMs: 100, message: `chain ${d.chainId} caught up` },
    )
}

/**
 * Waits until every process's API answers every chain at the devchain's head (the devchains paused, the
 * store caught up): the predictors have finished the last block, so their stored calibration state and
 * exported scores are final. A fixed wait for that was short on a loaded machine.
 */
export async function waitForServedHeads(
  processes: readonly FeecastProcess[],
  devchains: readonly Devchain[],
) {
  for (const p of processes)
    for (const d of devchains)
      await waitFor(
        async () => {
          const response = await fetch(`${p.url}/predict?chainId=${d.chainId}`).catch(() => null)
          const body = (await response?.json().catch(() => null)) as { blockNumber?: number } | null
          return body?.blockNumber === d.head()
        },
        {
          timeoutMs: 60_000,
          intervalMs: 100,
          message: () =>
            `${p.url} answering chain ${d.chainId} at its head ${d.head()}\n${p.output().slice(-2000)}`,
        },
      )
}

/** Prints the figures and saves them as JSON (bench/results or a test's temporary file). */
export function reportFigures(path: string, title: string, figures: unknown): void {
  process.stdout.write(`\n${title}\n${JSON.stringify(figures, null, 2)}\n`)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(figures, null, 2)}\n`)
}

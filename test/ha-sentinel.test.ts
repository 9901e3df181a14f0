import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { connectStore } from '../src/store/connect.js'
import { readHead } from '../src/store/readHead.js'
import type { StoreClient } from '../src/store/scripts.js'
import {
  chainFigures,
  reportFigures,
  secondsUntilWritesResume,
  startFeecasts,
  startLoad,
  waitForCatchUp,
  waitForPredictions,
} from './support/failoverRun.js'
import type { FeecastProcess } from './support/feecastProcess.js'
import { type SentinelSet, startSentinelSet } from './support/redisHa.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Redis under Sentinel, for real: a primary, a replica and three Sentinels (Debian's redis-server and
 * redis-sentinel); feecast processes (sampler, predictor, API) on a devchain under load; the primary
 * SIGKILLed. Figures printed and saved (bench/failover.ts saves them under bench/results); what must
 * hold is asserted, timings are not.
 */
let set: SentinelSet | undefined
let devchain: Devchain | undefined
let processes: FeecastProcess[] = []
let observer: StoreClient | undefined
const cleanUp = async () => {
  // Their logs, for a failure's post-mortem.
  for (const [i, p] of processes.entries())
    writeFileSync(join(tmpdir(), `feecast-ha-sentinel-${i}.log`), p.output())
  await Promise.all(processes.map((p) => p.stop()))
  processes = []
  observer?.disconnect()
  await devchain?.stop()
  await set?.stop()
  ;[observer, devchain, set] = [undefined, undefined, undefined]
}
afterEach(cleanUp)

const failover = async (replicas: number) => {
  set = await startSentinelSet({ replicas: 1, sentinels: 3, downAfterMs: 1_000 })
  devchain = await startDevchain({ port: 0, blockTime: 0.5, history: 128, seed: 14 })
  const chainId = devchain.chainId
  processes = await startFeecasts(replicas, [devchain], {
    REDIS_SENTINELS: set.sentinelList,
    REDIS_SENTINEL_NAME: set.name,
  })
  await waitForPredictions(processes, [chainId])
  observer = connectStore({
    kind: 'sentinel',
    sentinels: set.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
    name: set.name,
  })
  const urls = processes.map((p) => `${p.url}/predict?chainId=${chainId}`)
  const load = startLoad(urls, 8)
  // Both APIs' view of the head, every 50 ms: when each first served each block.
  const firstServed = processes.map(() => new Map<number, number>())
  let watching = true
  const watchers = processes.map(async (p, i) => {
    while (watching) {
      const body = (await (
        await fetch(`${p.url}/predict?chainId=${chainId}`).catch(() => null)
      )
        ?.json()
        .catch(() => null)) as {
        blockNumber?: number
      } | null
      if (body?.blockNumber !== undefined && !firstServed[i]!.has(body.blockNumber))
        firstServed[i]!.set(body.blockNumber, Date.now())
      await sleep(50)
    }
  })
  await sleep(3_000)
  const primaryBefore = await set.primaryPort()
  const headAtKill = (await readHead(observer, { chainId }))!.number
  const killedAt = Date.now()
  load.watch(killedAt, Number.MAX_SAFE_INTEGER)
  await set.dataNodes.find((n) => n.port === primaryBefore)!.kill()
  const writesResumeSeconds = await secondsUntilWritesResume(observer, chainId, headAtKill, killedAt)
  load.watch(killedAt, killedAt + writesResumeSeconds * 1000)
  const primaryAfter = await set.primaryPort()
  await sleep(4_000)
  devchain.pause()
  await load.stop()
  await waitForCatchUp(observer, [devchain])
  await sleep(1_500) // the predictors finish the last block
  watching = false
  await Promise.all(watchers)
  const figures = await chainFigures(observer, devchain, processes)
  let apiSpreadMs: number | null = null
  if (processes.length > 1) {
    apiSpreadMs = 0
    for (const [block, at] of firstServed[0]!) {
      const other = firstServed[1]!.get(block)
      if (other !== undefined) apiSpreadMs = Math.max(apiSpreadMs, Math.abs(other - at))
    }
  }
  const heads = await Promise.all(
    processes.map(
      async (p) =>
        ((await (await fetch(`${p.url}/predict?chainId=${chainId}`)).json()) as { blockNumber: number })
          .blockNumber,
    ),
  )
  return { primaryBefore, primaryAfter, writesResumeSeconds, load, figures, apiSpreadMs, heads, chainId }
}

describe('Redis under Sentinel: SIGKILL of the primary under load', () => {
  it('one feecast: writes resume, no block missing or doubled, no calibration score lost or doubled', async () => {
    const run = await failover(1)
    const figures = {
      topology: 'Sentinel: 1 primary, 1 replica, 3 sentinels (down-after 1000 ms); 1 feecast (all roles)',
      writesResumeSeconds: run.writesResumeSeconds,
      answersDuringFailover: run.load.during,
      answersInAll: run.load.counts,
      ...run.figures,
    }
    reportFigures(join(tmpdir(), 'feecast-ha-sentinel.json'), 'Sentinel failover figures', figures)
    expect(run.primaryAfter).not.toBe(run.primaryBefore)
    expect(run.figures.to).toBe(devchain!.head())
    expect(run.figures.missing).toBe(0)
    expect(run.figures.duplicated).toBe(0)
    expect(run.figures.overwritten).toBe(0)
    expect(run.figures.scoresStored).toBeGreaterThan(0)
    expect(run.figures.scoresExported).toBe(run.figures.scoresStored)
    // The API answers from memory while Redis fails over: every request got an answer.
    expect(run.load.counts.error ?? 0).toBe(0)
    expect(Object.keys(run.load.counts).filter((s) => s.startsWith('5'))).toEqual([])
  }, 240_000)
})

describe('two API replicas and two samplers on one Sentinel set, through a failover', () => {
  it('loses, doubles and stale-overwrites no record, and both APIs serve the same head', async () => {
    const run = await failover(2)
    const figures = {
      topology:
        'Sentinel: 1 primary, 1 replica, 3 sentinels; 2 feecast processes (sampler + predictor + API each)',
      writesResumeSeconds: run.writesResumeSeconds,
      answersDuringFailover: run.load.during,
      answersInAll: run.load.counts,
      largestGapBetweenTheTwoApisServingABlockMs: run.apiSpreadMs,
      headsServedAtTheEnd: run.heads,
      ...run.figures,
    }
    reportFigures(
      join(tmpdir(), 'feecast-ha-sentinel-two.json'),
      'Two samplers and two APIs through a Sentinel failover',
      figures,
    )
    expect(run.primaryAfter).not.toBe(run.primaryBefore)
    expect(run.figures.to).toBe(devchain!.head())
    expect(run.figures.missing).toBe(0)
    expect(run.figures.duplicated).toBe(0)
    expect(run.figures.overwritten).toBe(0)
    expect(run.figures.scoresStored).toBeGreaterThan(0)
    expect(run.figures.scoresExported).toBe(run.figures.scoresStored)
    expect(run.load.counts.error ?? 0).toBe(0)
    expect(Object.keys(run.load.counts).filter((s) => s.startsWith('5'))).toEqual([])
    // Both APIs serve the chain's head once it stops moving.
    expect(run.heads).toEqual([devchain!.head(), devchain!.head()])
  }, 240_000)
})

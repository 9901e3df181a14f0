import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { type Devchain, startDevchain } from '../../src/devchain/startDevchain.js'
import { readHead } from '../../src/store/readHead.js'
import type { StoreClient } from '../../src/store/scripts.js'
import {
  chainFigures,
  secondsUntilWritesResume,
  startFeecasts,
  startLoad,
  waitForCatchUp,
  waitForPredictions,
  waitForServedHeads,
} from './failoverRun.js'
import type { FeecastProcess } from './feecastProcess.js'
import { type SentinelSet, startSentinelSet } from './redisHa.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let set: SentinelSet | undefined
let devchain: Devchain | undefined
let processes: FeecastProcess[] = []
let observer: StoreClient | undefined
const cleanUp = async () => {
  // Their logs, for a failure's post-mortem.
  for (const [i, p] of processes.entries())
    writeFileSync(join(tmpdir(), `feecast-ha-sentinel-${processes.length}p-${i}.log`), p.output())
  await Promise.all(processes.map((p) => p.stop()))
  processes = []
  observer?.disconnect()
  await devchain?.stop()
  await set?.stop()
  ;[observer, devchain, set] = [undefined, undefined, undefined]
}

/**
 * One Sentinel failover with `replicas` feecast processes (sampler, predictor and API each): a primary, a
 * replica and three Sentinels; a devchain of 0.5 s blocks; 8 request loops; the primary SIGKILLed. Every
 * server and process is stopped before it returns (their logs left in the temporary directory).
 */
export async function runSentinelFailover(replicas: number) {
  try {
    return await failover(replicas)
  } finally {
    await cleanUp()
  }
}

const failover = async (replicas: number) => {
  set = await startSentinelSet({ replicas: 1, sentinels: 3, downAfterMs: 1_000 })
  devchain = await startDevchain({ port: 0, blockTime: 0.5, history: 128, seed: 14 })
  const chainId = devchain.chainId
  processes = await startFeecasts(replicas, [devchain], {
    REDIS_SENTINELS: set.sentinelList,
    REDIS_SENTINEL_NAME: set.name,
  })
  await waitForPredictions(processes, [chainId])
  // The test reads the store through the primary the Sentinels name, one short-lived connection at a
  // time, so what it measures does not depend on a long-lived client following the failover.
  const sentinels = set
  const onPrimary = async <T>(read: (client: StoreClient) => Promise<T>): Promise<T> => {
    const client = new Redis({
      port: await sentinels.primaryPort(),
      host: '127.0.0.1',
      retryStrategy: () => null,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
    })
    client.on('error', () => {})
    try {
      return await read(client)
    } finally {
      client.disconnect()
    }
  }
  const storedHead = () => onPrimary(async (c) => (await readHead(c, { chainId }))?.number ?? null)
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
  const headAtKill = (await storedHead())!
  const killedAt = Date.now()
  load.watch(killedAt, Number.MAX_SAFE_INTEGER)
  await set.dataNodes.find((n) => n.port === primaryBefore)!.kill()
  const writesResumeSeconds = await secondsUntilWritesResume(storedHead, chainId, headAtKill, killedAt)
  load.watch(killedAt, killedAt + writesResumeSeconds * 1000)
  const primaryAfter = await set.primaryPort()
  await sleep(4_000)
  devchain.pause()
  await load.stop()
  observer = new Redis({ port: primaryAfter, host: '127.0.0.1' })
  observer.on('error', () => {})
  await waitForCatchUp(observer, [devchain])
  await waitForServedHeads(processes, [devchain]) // the predictors finish the last block
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
  return {
    ...{ primaryBefore, primaryAfter, writesResumeSeconds, load, figures, apiSpreadMs, heads, chainId },
    chainHead: devchain.head(),
  }
}

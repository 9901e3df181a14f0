import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { connectStore } from '../src/store/connect.js'
import { storeKeys } from '../src/store/keys.js'
import { readHead } from '../src/store/readHead.js'
import type { StoreClient } from '../src/store/scripts.js'
import { subscribePredictions } from '../src/store/subscribePredictions.js'
import {
  chainFigures,
  reportFigures,
  secondsUntilWritesResume,
  startFeecasts,
  startLoad,
  waitForCatchUp,
  waitForPredictions,
  waitForServedHeads,
} from './support/failoverRun.js'
import type { FeecastProcess } from './support/feecastProcess.js'
import { type RedisClusterSet, startRedisCluster } from './support/redisHa.js'
import { waitFor } from './support/waitFor.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Redis Cluster, for real: three primaries with a replica each (redis-cli --cluster create); three chains
 * whose keys land on three different primaries, one feecast (sampler, predictor, API) under load; the
 * primary of one chain's slot SIGKILLed. Figures printed and saved; what must hold is asserted.
 */
describe('Redis Cluster: SIGKILL of a primary under load', () => {
  let cluster: RedisClusterSet | undefined
  let devchains: Devchain[] = []
  let processes: FeecastProcess[] = []
  let observer: StoreClient | undefined
  afterAll(async () => {
    for (const [i, p] of processes.entries())
      writeFileSync(join(tmpdir(), `feecast-ha-cluster-${i}.log`), p.output())
    await Promise.all(processes.map((p) => p.stop()))
    observer?.disconnect()
    await Promise.all(devchains.map((d) => d.stop()))
    await cluster?.stop()
  })

  it('keeps every chain in its slot, resumes writes, loses and doubles nothing', async () => {
    cluster = await startRedisCluster({ primaries: 3, replicasEach: 1, nodeTimeoutMs: 1_000 })
    // Chain ids whose keys land on three different primaries.
    const chainIds: number[] = []
    const primaries = new Set<number>()
    for (let id = 900_001; chainIds.length < 3 && id < 900_200; id++) {
      const port = await cluster.primaryPortOf(storeKeys(id).blocks)
      if (primaries.has(port)) continue
      primaries.add(port)
      chainIds.push(id)
    }
    expect(chainIds).toHaveLength(3)
    devchains = await Promise.all(
      chainIds.map((chainId, i) =>
        startDevchain({ port: 0, chainId, blockTime: 0.5, history: 128, seed: 20 + i }),
      ),
    )
    processes = await startFeecasts(1, devchains, { REDIS_CLUSTER_NODES: cluster.nodeList })
    await waitForPredictions(processes, chainIds)
    observer = connectStore({
      kind: 'cluster',
      nodes: cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    })
    observer.on('error', () => {})
    // Every chain's predictions arrive on its sharded channel (SSUBSCRIBE on the node of its slot).
    const subscriber = connectStore(
      { kind: 'cluster', nodes: cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })) },
      { subscriber: true },
    )
    subscriber.on('error', () => {})
    const heard = new Set<number>()
    const subscription = await subscribePredictions(subscriber, {
      chainIds,
      onPrediction: (json) => heard.add((JSON.parse(json) as { chainId: number }).chainId),
    })
    await waitFor(() => heard.size === chainIds.length, {
      timeoutMs: 30_000,
      message: () => `predictions of every chain on its sharded channel (heard ${[...heard]})`,
    })
    await subscription.unsubscribe()
    subscriber.disconnect()
    const load = startLoad(
      chainIds.map((id) => `${processes[0]!.url}/predict?chainId=${id}`),
      8,
    )
    await sleep(3_000)
    const victim = chainIds[0]!
    const victimPort = await cluster.primaryPortOf(storeKeys(victim).blocks)
    const headAtKill = (await readHead(observer, { chainId: victim }))!.number
    const killedAt = Date.now()
    load.watch(killedAt, Number.MAX_SAFE_INTEGER)
    await cluster.nodes.find((n) => n.port === victimPort)!.kill()
    const writesResumeSeconds = await secondsUntilWritesResume(
      async () => (await readHead(observer!, { chainId: victim }))?.number ?? null,
      victim,
      headAtKill,
      killedAt,
    )
    load.watch(killedAt, killedAt + writesResumeSeconds * 1000)
    const promotedPort = await cluster.primaryPortOf(storeKeys(victim).blocks)
    await sleep(4_000)
    for (const d of devchains) d.pause()
    await load.stop()
    await waitForCatchUp(observer, devchains)
    await waitForServedHeads(processes, devchains) // the predictors finish the last block
    const perChain = []
    for (const d of devchains) perChain.push(await chainFigures(observer, d, processes))
    reportFigures(join(tmpdir(), 'feecast-ha-cluster.json'), 'Cluster failover figures', {
      topology:
        'Cluster: 3 primaries with 1 replica each (node-timeout 1000 ms); 1 feecast (all roles), 3 chains on 3 primaries',
      killedChain: victim,
      writesResumeSeconds,
      answersDuringFailover: load.during,
      answersInAll: load.counts,
      chains: perChain,
    })
    expect(promotedPort).not.toBe(victimPort)
    for (const [i, f] of perChain.entries()) {
      expect(f.to).toBe(devchains[i]!.head())
      expect(f.missing).toBe(0)
      expect(f.duplicated).toBe(0)
      expect(f.overwritten).toBe(0)
      expect(f.scoresStored).toBeGreaterThan(0)
      expect(f.scoresExported).toBe(f.scoresStored)
    }
    expect(load.counts.error ?? 0).toBe(0)
    expect(Object.keys(load.counts).filter((s) => s.startsWith('5'))).toEqual([])
  }, 240_000)
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPredictionFeed, type PredictionFeed } from '../src/api/predictionFeed.js'
import { SamplingWorkerStartError } from '../src/commands/errors.js'
import { startSamplingWorker } from '../src/commands/samplingThread.js'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/lib/logger.js'
import { registry } from '../src/metrics/metrics.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * The combined role's supervisor of its sampling worker thread, with real worker threads (a plain-JS
 * stand-in for the compiled samplingWorker.js that speaks its protocol, then dies of an uncaught error) and
 * the API's real feed on a real redis-server. The real worker runs in test/sampling-worker.test.ts.
 */
describe('startSamplingWorker', () => {
  let redis: TestRedis
  let feed: PredictionFeed
  beforeAll(async () => {
    redis = await startTestRedis()
    feed = createPredictionFeed({ redis: redis.client(), chains: [1337] })
  })
  /** What the main thread hands over (the fixture workers read only the chains). */
  const config = loadConfig({})
  afterAll(async () => {
    await feed?.close()
    await redis?.stop()
  })

  it('restarts a worker that died, and the feed keeps taking its predictions and metrics', async () => {
    const lines: Array<Record<string, unknown>> = []
    const logger = createLogger(
      'info',
      {},
      { destination: { write: (line: string) => lines.push(JSON.parse(line)) } },
    )
    const reorgsBefore = await reorgCount()
    const worker = await startSamplingWorker({
      config,
      target: { kind: 'url', url: redis.url },
      chains: [{ chainId: 1337, rpcUrls: [] }],
      owner: 'test-owner',
      logger,
      feed,
      script: new URL('./fixtures/dyingSamplingWorker.mjs', import.meta.url),
      restartDelayMs: { base: 50, max: 200 },
    })
    const versions = new Set<string>()
    await waitFor(
      () => {
        const version = feed.get(1337)?.prediction.model.version
        if (version) versions.add(version)
        return versions.size >= 3 ? true : undefined
      },
      {
        timeoutMs: 20_000,
        intervalMs: 5,
        message: () => `predictions of 3 worker threads (saw ${[...versions]})`,
      },
    )
    expect(worker.starts).toBeGreaterThanOrEqual(3)
    expect(
      lines.some(
        (l) =>
          l.msg === 'sampling worker failed' && String(JSON.stringify(l.err)).includes('fixture worker bug'),
      ),
    ).toBe(true)
    expect(
      lines.filter((l) => l.msg === 'sampling worker exited: restarting it').length,
    ).toBeGreaterThanOrEqual(2)
    // The workers' metric updates land in this thread's registry (the one /metrics serves).
    expect((await reorgCount()) - reorgsBefore).toBeGreaterThanOrEqual(6)
    await worker.stop()
    const startsAtStop = worker.starts
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(worker.starts).toBe(startsAtStop)
  })

  it('a worker whose start fails rejects with its one-line reason, and is not restarted', async () => {
    const logger = createLogger('silent')
    const started = startSamplingWorker({
      config,
      target: { kind: 'url', url: redis.url },
      chains: [{ chainId: 1337, rpcUrls: [] }],
      owner: 'test-owner',
      logger,
      feed,
      script: new URL('./fixtures/failingSamplingWorker.mjs', import.meta.url),
      restartDelayMs: { base: 10, max: 10 },
    })
    await expect(started).rejects.toThrow(SamplingWorkerStartError)
    await expect(started).rejects.toThrow('RPC_URL_1337 answers chain 5, not 1337')
  })
})

async function reorgCount(): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'feecast_reorgs_total')
  const values =
    (metric as { values?: Array<{ labels: Record<string, string>; value: number }> } | undefined)?.values ??
    []
  return values.filter((v) => v.labels.chain_id === '1337').reduce((sum, v) => sum + v.value, 0)
}

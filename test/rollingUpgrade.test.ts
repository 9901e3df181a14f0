import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { legacyPredictionKey, storeKeys } from '../src/store/keys.js'
import { type FeecastProcess, startFeecast } from './support/feecastProcess.js'
import { buildPrevious, hasCommit, type PreviousBuild } from './support/previousBuild.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * The rolling upgrade the README describes, with the previous version itself: a12cc8e, the last commit
 * before prediction keys and channels moved under the chain's hash tag (2f89197), built from this
 * checkout's git history and run as its own processes beside this version's, on one real Redis and a
 * real devchain. Each process is replaced one at a time, as an operator would, and every API, old or
 * new, keeps serving new blocks whichever version's sampler wrote them.
 */
const previousCommit = 'a12cc8e'
const available = await hasCommit(previousCommit)

describe.runIf(available)(`rolling upgrade from ${previousCommit} (the layout before hash tags)`, () => {
  let previous: PreviousBuild
  let redis: TestRedis
  let devchain: Devchain
  const started: FeecastProcess[] = []

  beforeAll(async () => {
    ;[previous, redis, devchain] = await Promise.all([
      buildPrevious(previousCommit),
      startTestRedis(),
      startDevchain({ blockTime: 1, history: 64 }),
    ])
  }, 240_000)

  afterAll(async () => {
    for (const f of started) await f.stop()
    await devchain?.stop()
    await redis?.stop()
    await previous?.remove()
  })

  const start = async (version: 'previous' | 'this', role: 'all' | 'api' | 'sampler') => {
    const f = await startFeecast({
      checkout: version === 'previous' ? previous.checkout : undefined,
      env: {
        FEECAST_ROLE: role,
        REDIS_URL: redis.url,
        [`RPC_URL_${devchain.chainId}`]: devchain.url,
        HISTORY_BLOCKS: '64',
      },
    })
    started.push(f)
    return f
  }

  const servedBlock = async (f: FeecastProcess): Promise<number | undefined> => {
    const response = await fetch(`${f.url}/predict?chainId=${devchain.chainId}`)
    if (response.status !== 200) {
      await response.body?.cancel()
      return undefined
    }
    return ((await response.json()) as { blockNumber: number }).blockNumber
  }

  /** Waits until `f` serves a prediction, then one two blocks newer: it follows the chain as it goes. */
  const follows = async (f: FeecastProcess, who: string) => {
    const first = await waitFor(() => servedBlock(f), {
      timeoutMs: 120_000,
      intervalMs: 250,
      message: () => `${who} serving a prediction; its output:\n${f.output().slice(-2000)}`,
    })
    await waitFor(async () => ((await servedBlock(f)) ?? 0) >= first + 2, {
      timeoutMs: 60_000,
      intervalMs: 250,
      message: () => `${who} serving two newer blocks than ${first}; its output:\n${f.output().slice(-2000)}`,
    })
  }

  it('old and new samplers and APIs serve side by side, replaced one at a time', async () => {
    const store = redis.client()
    const newKey = storeKeys(devchain.chainId).prediction
    const oldKey = legacyPredictionKey(devchain.chainId)

    // The deployment before the upgrade: one old process, sampler and API, writing the old layout only.
    const old = await start('previous', 'all')
    await follows(old, 'the old process')
    expect(await store.exists(oldKey)).toBe(1)
    expect(await store.exists(newKey)).toBe(0)

    // A new API first: it serves what the old sampler writes, from the old key and channel.
    const newApi = await start('this', 'api')
    await follows(newApi, 'the new API beside the old sampler')
    expect(await store.exists(newKey)).toBe(0)

    // Then the sampler: a new one beside the old, and the old one stopped, cleanly.
    await start('this', 'sampler')
    expect(await old.stop('SIGTERM', 20_000)).toBe(0)
    await waitFor(async () => (await store.exists(newKey)) === 1, {
      timeoutMs: 60_000,
      intervalMs: 250,
      message: 'the new sampler writing the new layout',
    })
    await follows(newApi, 'the new API after the old sampler stopped')

    // An API not yet upgraded still serves every block the new sampler predicts: it writes both layouts.
    const oldApi = await start('previous', 'api')
    await follows(oldApi, 'an old API beside the new sampler')
    expect(await store.exists(oldKey)).toBe(1)

    for (const f of started) expect(await f.stop('SIGTERM', 20_000), f.output().slice(-1000)).toBe(0)
  }, 400_000)
})

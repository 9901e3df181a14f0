import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CalibrationConflictError, StoredValueError } from '../src/store/errors.js'
import { chainsKey, legacyPredictionChannel, legacyPredictionKey, storeKeys } from '../src/store/keys.js'
import { readCalibrationState } from '../src/store/readCalibrationState.js'
import { readChainIds } from '../src/store/readChainIds.js'
import { readPredictions } from '../src/store/readPredictions.js'
import { subscribePredictions } from '../src/store/subscribePredictions.js'
import { writePrediction } from '../src/store/writePrediction.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/** The prediction actions on a real redis-server: every key of a chain under its hash tag, the old layout beside it on demand. */
describe('prediction store on a real Redis', () => {
  let redis: TestRedis
  let client: Redis
  beforeAll(async () => {
    redis = await startTestRedis()
    client = redis.client()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('puts every key and channel of a chain under its hash tag; the old layout keeps its names', () => {
    const keys = storeKeys(8453)
    for (const key of Object.values(keys)) expect(key).toMatch(/^feecast:\{8453\}:/)
    expect(keys.prediction).toBe('feecast:{8453}:prediction')
    expect(keys.predictionChannel).toBe('feecast:{8453}:predictions')
    expect(keys.calibration).toBe('feecast:{8453}:calibration')
    expect(legacyPredictionKey(8453)).toBe('feecast:prediction:8453')
    expect(legacyPredictionChannel).toBe('feecast:predictions')
    expect(chainsKey).toBe('feecast:chains')
  })

  it('writes the prediction and its calibration state in one script, then lists the chain and announces it', async () => {
    // Redis's own record of the commands, in the order it ran them. Made from a client whose ready check
    // (INFO) is done: a command monitored in the same packet as MONITOR's OK trips ioredis ('Command queue
    // state error'), as a fresh client's INFO did on a loaded machine.
    const base = redis.client()
    await base.ping()
    const monitor = await base.monitor()
    const ran: string[][] = []
    monitor.on('monitor', (_time: string, args: string[]) => ran.push(args))
    const heard: string[] = []
    const oldHeard: string[] = []
    const subscription = await subscribePredictions(redis.client(), {
      chainIds: [10],
      onPrediction: (json) => heard.push(json),
    })
    // A process of the previous version listens to the one old channel.
    const oldListener = redis.client()
    oldListener.on('message', (_c: string, m: string) => oldHeard.push(m))
    await oldListener.subscribe(legacyPredictionChannel)
    const prediction = {
      chainId: 10,
      blockNumber: 5,
      estimates: [{ maxFeePerGas: '1000000000000000000000' }],
    }
    await writePrediction(client, {
      chainId: 10,
      prediction,
      calibrationState: { version: 1, n: 3 },
      calibrationSeq: { expected: null, next: { seq: 1, writer: 'a' } },
      legacyLayout: true,
    })
    const json = JSON.stringify(prediction)
    await waitFor(() => heard.length === 1 && oldHeard.length === 1, {
      timeoutMs: 5_000,
      message: 'the prediction was not announced on both layouts',
    })
    monitor.disconnect()
    expect(heard).toEqual([json])
    expect(oldHeard).toEqual([json])
    const writes = new Set(['evalsha', 'eval', 'set', 'sadd', 'publish'])
    const commands = ran.map(([command, ...args]) => [command?.toLowerCase(), ...args])
    expect(
      commands
        .filter(([command]) => writes.has(command ?? ''))
        .map((c) => c.slice(0, c[0] === 'set' ? 2 : 3)),
    ).toEqual([
      ['evalsha', expect.any(String), '3'],
      ['eval', expect.any(String), '3'],
      ['set', 'feecast:{10}:prediction'],
      ['set', 'feecast:{10}:calibration'],
      ['set', 'feecast:{10}:calibration:seq'],
      ['sadd', 'feecast:chains', '10'],
      ['set', 'feecast:prediction:10'],
      ['publish', 'feecast:{10}:predictions', json],
      ['publish', 'feecast:predictions', json],
    ])
    expect(await client.get('feecast:{10}:calibration:seq')).toBe('1|a')

    // Unsubscribed, it hears no more (a second listener proves the announcement went out).
    await subscription.unsubscribe()
    await oldListener.unsubscribe()
    const later: string[] = []
    await subscribePredictions(redis.client(), { chainIds: [10], onPrediction: (j) => later.push(j) })
    await writePrediction(client, {
      chainId: 10,
      prediction: { ...prediction, blockNumber: 6 },
      calibrationState: { version: 1, n: 4 },
      calibrationSeq: { expected: { seq: 1, writer: 'a' }, next: { seq: 2, writer: 'a' } },
    })
    await waitFor(() => later.length === 1, {
      timeoutMs: 5_000,
      message: 'the second prediction was not announced',
    })
    expect(heard).toHaveLength(1)
    // Without the old layout, the old key keeps its last value: nothing new is written there.
    expect(JSON.parse((await client.get(legacyPredictionKey(10)))!).blockNumber).toBe(5)
  })

  it('refuses a calibration write that does not follow the stored one, and says which is stored', async () => {
    const write = (expected: { seq: number; writer: string } | null, n: number) =>
      writePrediction(client, {
        chainId: 11,
        prediction: { chainId: 11, blockNumber: n },
        calibrationState: { n },
        calibrationSeq: { expected, next: { seq: (expected?.seq ?? 0) + 1, writer: 'b' } },
      })
    await write(null, 1)
    await write({ seq: 1, writer: 'b' }, 2)
    // A writer that did not see write 2 (another predictor, or one that a failover rolled back):
    const stale = write({ seq: 1, writer: 'b' }, 3)
    await expect(stale).rejects.toBeInstanceOf(CalibrationConflictError)
    await expect(stale).rejects.toMatchObject({ stored: { seq: 2, writer: 'b' } })
    await expect(write(null, 3)).rejects.toMatchObject({ stored: { seq: 2, writer: 'b' } })
    expect(await readCalibrationState(client, { chainId: 11 })).toEqual({ n: 2 })
  })

  it('reads a prediction of the old layout while a predictor of the previous version writes only that', async () => {
    await client.set(legacyPredictionKey(12), '{"chainId":12,"blockNumber":1}')
    expect((await readPredictions(client, { chainIds: [12] })).size).toBe(0)
    expect((await readPredictions(client, { chainIds: [12], legacyLayout: true })).get(12)).toBe(
      '{"chainId":12,"blockNumber":1}',
    )
  })

  it('reads the predictions of the chains asked for, as stored, and skips those without one', async () => {
    await writePrediction(client, {
      chainId: 1,
      prediction: { chainId: 1, blockNumber: 9 },
      calibrationState: {},
    })
    const read = await readPredictions(client, { chainIds: [1, 10, 137] })
    expect([...read.keys()]).toEqual([1, 10])
    expect(read.get(1)).toBe('{"chainId":1,"blockNumber":9}')
    expect(await readPredictions(client, { chainIds: [] })).toEqual(new Map())
  })

  it('lists the served chains ascending and skips members that are not chain ids', async () => {
    await client.sadd(chainsKey, 'not-a-chain', '0', '-5', '1.5', '42161')
    expect(await readChainIds(client)).toEqual([1, 10, 11, 42161])
  })

  it('reads a calibration state back, none as null, and a stored value that is not JSON as an error', async () => {
    expect(await readCalibrationState(client, { chainId: 10 })).toEqual({ version: 1, n: 4 })
    expect(await readCalibrationState(client, { chainId: 56 })).toBeNull()
    await client.set(storeKeys(56).calibration, '{"version":')
    await expect(readCalibrationState(client, { chainId: 56 })).rejects.toBeInstanceOf(StoredValueError)
  })
})

import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StoredValueError } from '../src/store/errors.js'
import { chainsKey, predictionChannel, predictionKey, storeKeys } from '../src/store/keys.js'
import { readCalibrationState } from '../src/store/readCalibrationState.js'
import { readChainIds } from '../src/store/readChainIds.js'
import { readPredictions } from '../src/store/readPredictions.js'
import { subscribePredictions } from '../src/store/subscribePredictions.js'
import { writePrediction } from '../src/store/writePrediction.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/** The prediction actions on a real redis-server: the layout stays what it was (a move, not a migration). */
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

  it('keeps the key names of the first layout', () => {
    expect(predictionKey(8453)).toBe('feecast:prediction:8453')
    expect(storeKeys(8453).prediction).toBe('feecast:prediction:8453')
    expect(storeKeys(8453).calibration).toBe('feecast:{8453}:calibration')
    expect(predictionChannel).toBe('feecast:predictions')
    expect(chainsKey).toBe('feecast:chains')
  })

  it('writes the prediction, the chain and the calibration state in one MULTI, then announces the prediction', async () => {
    // Redis's own record of the commands, in the order it ran them.
    const monitor = await redis.client().monitor()
    const ran: string[][] = []
    monitor.on('monitor', (_time: string, args: string[]) => ran.push(args))
    const heard: string[] = []
    const unsubscribe = await subscribePredictions(redis.client(), {
      onPrediction: (json) => heard.push(json),
    })
    const prediction = {
      chainId: 10,
      blockNumber: 5,
      estimates: [{ maxFeePerGas: '1000000000000000000000' }],
    }
    await writePrediction(client, { chainId: 10, prediction, calibrationState: { version: 1, n: 3 } })
    const json = JSON.stringify(prediction)
    await waitFor(() => heard.length === 1 && ran.some(([c]) => c?.toLowerCase() === 'publish'), {
      timeoutMs: 5_000,
      message: 'the prediction was not announced',
    })
    monitor.disconnect()
    expect(heard).toEqual([json])
    const writes = new Set(['multi', 'set', 'sadd', 'exec', 'publish'])
    const commands = ran.map(([command, ...args]) => [command?.toLowerCase(), ...args])
    // (Connection set-up and the subscription also pass the monitor: only the writes matter here.)
    expect(commands.filter(([command]) => writes.has(command ?? ''))).toEqual([
      ['multi'],
      ['set', 'feecast:prediction:10', json],
      ['sadd', 'feecast:chains', '10'],
      ['set', 'feecast:{10}:calibration', '{"version":1,"n":3}'],
      ['exec'],
      ['publish', 'feecast:predictions', json],
    ])

    // Unsubscribed, it hears no more (a second listener proves the announcement went out).
    await unsubscribe()
    const later: string[] = []
    await subscribePredictions(redis.client(), { onPrediction: (j) => later.push(j) })
    await writePrediction(client, {
      chainId: 10,
      prediction: { ...prediction, blockNumber: 6 },
      calibrationState: { version: 1, n: 4 },
    })
    await waitFor(() => later.length === 1, {
      timeoutMs: 5_000,
      message: 'the second prediction was not announced',
    })
    expect(heard).toHaveLength(1)
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
    expect(await readChainIds(client)).toEqual([1, 10, 42161])
  })

  it('reads a calibration state back, none as null, and a stored value that is not JSON as an error', async () => {
    expect(await readCalibrationState(client, { chainId: 10 })).toEqual({ version: 1, n: 4 })
    expect(await readCalibrationState(client, { chainId: 56 })).toBeNull()
    await client.set(storeKeys(56).calibration, '{"version":')
    await expect(readCalibrationState(client, { chainId: 56 })).rejects.toBeInstanceOf(StoredValueError)
  })
})

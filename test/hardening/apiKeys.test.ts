import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForStatus } from '../support/feecastProcess.js'
import { predictionFixture, publishPrediction } from '../support/predictionFixture.js'
import { startTestRedis, type TestRedis } from '../support/redis.js'
import { type SpawnedApiServer, spawnApiServer } from '../support/spawnApiServer.js'

/**
 * Issue #11, "Also": optional API keys. The API in its own process with two keys from API_KEYS and one
 * from API_KEYS_FILE with its own, lower limit. Data routes (the /predict fast path and the Hono
 * routes) need a key, as Authorization: Bearer or X-API-Key; probes and /metrics do not; each key has
 * its own limit; no key ever reaches a log line or /metrics.
 */

const keyA = 'kA-0123456789abcdefXYZ'
const keyB = 'kB-fedcba9876543210QRS'
const limited = 'kF-limited-key-7777777'

let work: string
let redis: TestRedis
let api: SpawnedApiServer

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'feecast-apikeys-'))
  const file = join(work, 'keys')
  writeFileSync(file, `# one key a line: key [per second [burst]]\n${limited} 0.01 2\n`)
  redis = await startTestRedis()
  await publishPrediction(redis.client(), predictionFixture({ chainId: 1 }))
  api = await spawnApiServer({
    env: {
      REDIS_URL: redis.url,
      API_KEYS: `${keyA},${keyB}`,
      API_KEYS_FILE: file,
      RATE_LIMIT_PER_SECOND: '100',
      RATE_LIMIT_BURST: '100',
      LOG_LEVEL: 'debug',
    },
    chains: [1],
  })
  // Serving once its feed has read the prediction from Redis.
  await waitForStatus(`${api.url}/readyz`, 200, 30_000)
})

afterAll(async () => {
  api?.child.kill('SIGKILL')
  await redis?.stop()
  if (work) await rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
})

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers })

describe('API keys', () => {
  it('are required on data routes, in either header; probes and /metrics stay open', async () => {
    for (const path of ['/predict?chainId=1', '/chains', '/networks/1/suggestedGasFees']) {
      const none = await get(path)
      expect(none.status, path).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer')
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
      const wrong = await get(path, { Authorization: 'Bearer not-a-key-0123456789' })
      expect(wrong.status, path).toBe(401)
      expect((await get(path, { Authorization: `Bearer ${keyA}` })).status, path).toBe(200)
      expect((await get(path, { 'X-API-Key': keyB })).status, path).toBe(200)
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await get(path)).status, path).toBe(200)
  })

  it('each key has its own limit', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push((await get('/predict?chainId=1', { 'X-API-Key': limited })).status)
    expect(statuses).toEqual([200, 200, 429, 429])
    // The other keys are not held back by it.
    expect((await get('/predict?chainId=1', { 'X-API-Key': keyA })).status).toBe(200)
  })

  it('never appear in logs or metrics; rejections are counted', async () => {
    const metrics = await (await get('/metrics')).text()
    expect(metrics).toMatch(/feecast_api_key_rejections_total\{reason="missing"\} [1-9]/)
    expect(metrics).toMatch(/feecast_api_key_rejections_total\{reason="unknown"\} [1-9]/)
    const everything = `${api.output()}\n${metrics}`
    for (const key of [keyA, keyB, limited]) expect(everything).not.toContain(key)
    expect(api.output()).toMatch(/"keyId":"key#3"/)
  })
})

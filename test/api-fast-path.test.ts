import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CreateApiServerReturnType, createApiServer } from '../src/api/server.js'
import type { ApiConfig } from '../src/config.js'
import { type RedisServer, startRedisServer } from '../src/store/redisServer.js'
import { predictionFixture, publishPrediction } from './support/predictionFixture.js'

// GET /predict has a fast path in front of Hono (src/api/fastPredict.ts). Here two real servers on one
// real Redis, one with the fast path and one without, answer the same requests over HTTP: every answer
// must match (status, headers, body), and the fast path must have answered exactly the plain ones.

let work: string
let redisServer: RedisServer
let redis: Redis
const servers: CreateApiServerReturnType[] = []
const logLines: string[] = []
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString())
      done()
    },
  }),
)

/** A fast-path server and a Hono-only one with the same settings. */
async function pair(api: Partial<ApiConfig> = {}) {
  const config = {
    port: 0,
    host: '127.0.0.1',
    api: {
      rateLimitPerSecond: 0,
      rateLimitBurst: 1,
      maxRequestBodyBytes: 1024,
      corsOrigins: '*' as const,
      trustedProxies: [],
      ...api,
    } as ApiConfig,
  }
  const make = async (fastPath: boolean) => {
    const server = await createApiServer({ config, redis, logger, chains: [1337], fastPath })
    servers.push(server)
    expect(await server.feed.whenSynced(10_000)).toBe(true)
    return server
  }
  return { fast: await make(true), hono: await make(false) }
}

type Answer = { status: number; headers: Record<string, string>; body: unknown }

async function ask(server: CreateApiServerReturnType, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, init)
  const text = await response.text()
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    // Per answer by nature: the date, and a generated request id (a given one is compared).
    if (name !== 'date' && !(name === 'x-request-id' && !hasRequestId(init))) headers[name] = value
  })
  // The length follows the data's age (digits); it must be the body's own.
  if (headers['content-length'] !== undefined)
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(text))
  delete headers['content-length']
  let body: unknown = text
  if (text !== '' && headers['content-type']?.startsWith('application/json'))
    // The data's age moves between the two requests: checked to be a number, then set aside.
    body = JSON.parse(text, (key, value) => {
      if (key === 'ageMs' && value !== null) {
        expect(typeof value).toBe('number')
        return 0
      }
      return key === 'requestId' ? undefined : value
    })
  return { status: response.status, headers, body }
}
const hasRequestId = (init: RequestInit) =>
  Object.keys((init.headers ?? {}) as Record<string, string>).some((h) => h.toLowerCase() === 'x-request-id')

/** The status of a GET /predict carrying a body, over node:http. */
function getWithBody(server: CreateApiServerReturnType, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/predict?chainId=1337`,
      { method: 'GET', headers: { 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Cache-Control counts down in whole seconds of data age: the two answers may sit either side of one. */
function sameCacheControl(a: string | undefined, b: string | undefined) {
  const age = (v: string | undefined) => Number(/max-age=(\d+)/.exec(v ?? '')?.[1] ?? Number.NaN)
  return a === b || Math.abs(age(a) - age(b)) <= 1
}

async function expectSame(
  servers: { fast: CreateApiServerReturnType; hono: CreateApiServerReturnType },
  path: string,
  init: RequestInit = {},
) {
  const fast = await ask(servers.fast, path, init)
  const hono = await ask(servers.hono, path, init)
  expect(sameCacheControl(fast.headers['cache-control'], hono.headers['cache-control'])).toBe(true)
  delete fast.headers['cache-control']
  delete hono.headers['cache-control']
  expect({ path, ...fast }).toEqual({ path, ...hono })
  return fast
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'feecast-fast-path-'))
  redisServer = await startRedisServer({ dataDir: join(work, 'redis') })
  redis = new Redis(redisServer.url, { maxRetriesPerRequest: null })
  await publishPrediction(redis, predictionFixture({ chainId: 1337, blockNumber: 500 }))
})

afterAll(async () => {
  for (const server of servers) await server.close({ graceMs: 0 })
  await redis?.quit().catch(() => {})
  await redisServer?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('the /predict fast path', () => {
  it('answers what Hono answers, and answers only the plain requests', async () => {
    const both = await pair()
    const plain: Array<[string, RequestInit?]> = [
      ['/predict?chainId=1337'],
      ['/predict?chainId=1337&confidence=99,90&withinBlocks=1,3'],
      ['/predict?confidence=90%2C99&chainId=1337'],
      ['/predict?chainId=1337', { headers: { Origin: 'https://wallet.example' } }],
      ['/predict?chainId=1337', { headers: { 'X-Request-Id': 'trace-42' } }],
    ]
    for (const [path, init] of plain) {
      const answer = await expectSame(both, path, init)
      expect(answer.status).toBe(200)
    }
    const etag = (await ask(both.hono, '/predict?chainId=1337')).headers.etag!
    const notModified = await expectSame(both, '/predict?chainId=1337', {
      headers: { 'If-None-Match': etag },
    })
    expect(notModified.status).toBe(304)
    expect(both.fast.fastPathAnswers()).toBe(plain.length + 1)

    // Everything else goes to Hono, and is answered as Hono answers it.
    const others: Array<[string, number, RequestInit?]> = [
      ['/predict?chainId=999', 404],
      ['/predict?chainId=abc', 400],
      ['/predict?chainId=1337&confidence=42', 400],
      ['/predict?chainId=1337&chainId=1', 400],
      ['/predict', 400],
      ['/predict/?chainId=1337', 404],
      ['/predictions?chainId=1337', 404],
      ['/predict?chainId=1337', 405, { method: 'POST', body: 'x' }],
      ['/predict?chainId=1337', 405, { method: 'DELETE' }],
      [`/predict?chainId=1337&pad=${'x'.repeat(3000)}`, 414],
      ['/chains', 200],
    ]
    const before = both.fast.fastPathAnswers()
    for (const [path, status, init] of others) {
      const answer = await expectSame(both, path, init)
      expect({ path, status: answer.status }).toEqual({ path, status })
    }
    // A GET with a body (fetch will not send one): both answer 413, through Hono.
    for (const server of [both.fast, both.hono]) expect(await getWithBody(server, 'x'.repeat(5000))).toBe(413)
    expect(both.fast.fastPathAnswers()).toBe(before)
  })

  it('applies a CORS allow-list as Hono does', async () => {
    const both = await pair({ corsOrigins: ['https://wallet.example'] })
    const allowed = await expectSame(both, '/predict?chainId=1337', {
      headers: { Origin: 'https://wallet.example' },
    })
    expect(allowed.headers['access-control-allow-origin']).toBe('https://wallet.example')
    const refused = await expectSame(both, '/predict?chainId=1337', {
      headers: { Origin: 'https://evil.example' },
    })
    expect(refused.headers['access-control-allow-origin']).toBeUndefined()
    expect(refused.headers.vary).toBe('Origin')
    expect(both.fast.fastPathAnswers()).toBe(2)
  })

  it('shares the rate limit with Hono: over it, the client gets the 429', async () => {
    const both = await pair({ rateLimitPerSecond: 0.001, rateLimitBurst: 3 })
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${both.fast.url}/predict?chainId=1337`)).status)
    // The burst of 3 is spent across paths: a 404 through Hono takes a token too.
    expect((await fetch(`${both.fast.url}/predict?chainId=999`)).status).toBe(429)
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    expect(both.fast.fastPathAnswers()).toBe(3)
    const limited = await fetch(`${both.fast.url}/predict?chainId=1337`)
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } })
  })

  it('logs its answers at debug like the access log, with no query string', async () => {
    const both = await pair()
    logLines.length = 0
    await fetch(`${both.fast.url}/predict?chainId=1337&confidence=99`, {
      headers: { 'X-Request-Id': 'log-me' },
    })
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.reqId === 'log-me')
    expect(line).toMatchObject({
      level: 20,
      route: '/predict',
      path: '/predict',
      status: 200,
      msg: 'request',
    })
    expect(JSON.stringify(line)).not.toContain('confidence=99')
  })
})

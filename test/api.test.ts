import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BlocknativeSchema,
  ChainsSchema,
  ErrorSchema,
  HealthSchema,
  MetaMaskSchema,
  PredictionSchema,
  ReadySchema,
} from '../src/api/schemas.js'
import { type CreateApiServerReturnType, createApiServer } from '../src/api/server.js'
import { loadConfig } from '../src/config.js'
import { type RedisServer, startRedisServer } from '../src/store/redisServer.js'
import { predictionFixture, publishPrediction } from './support/predictionFixture.js'
import { blocknativeFields, metaMaskFields } from './support/publishedFields.js'

// The API against a real redis-server, on a free port, answering real HTTP. Predictions come from the
// fixture factory until the predictor feeds them. Secrets sit in the configuration (an RPC key, the
// Redis password): none may reach a log line or an answer.
const rpcKey = 'INFURAKEY0123456789'
const redisPassword = 'hunter2-redis-secret'

let work: string
let redisServer: RedisServer
let redis: Redis
let api: CreateApiServerReturnType
const logLines: string[] = []
const seen: string[] = []

const sink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(chunk.toString())
    done()
  },
})

async function get(path: string, init: RequestInit = {}) {
  const response = await fetch(`${api.url}${path}`, init)
  const text = await response.text()
  seen.push(text, JSON.stringify([...response.headers]))
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) }
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v) || Date.now() > end) return v
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Sends raw bytes and returns what the server answered before closing. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(api.port, '127.0.0.1', () => socket.end(bytes))
    let answer = ''
    socket.on('data', (d) => (answer += d.toString()))
    socket.on('close', () => resolve(answer))
    socket.on('error', (e) => (answer ? resolve(answer) : reject(e)))
  })
}

const now = () => Math.floor(Date.now() / 1000)

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'feecast-api-test-'))
  redisServer = await startRedisServer({ dataDir: join(work, 'redis') })
  const admin = new Redis(redisServer.url)
  await admin.config('SET', 'requirepass', redisPassword)
  await admin.quit().catch(() => {})
  const redisUrl = `redis://:${redisPassword}@127.0.0.1:${redisServer.port}`
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null })
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    RPC_URL_1: `https://mainnet.infura.io/v3/${rpcKey}`,
    RPC_URL_8453: `https://base.example/${rpcKey}`,
    RATE_LIMIT_PER_SECOND: '0',
  })
  await publishPrediction(redis, predictionFixture({ chainId: 1, blockNumber: 19_000_000, timestamp: now() }))
  await publishPrediction(redis, predictionFixture({ chainId: 1337, blockNumber: 50, timestamp: now() }))
  // OP Mainnet: data two minutes old, past its 30 s bound.
  await publishPrediction(redis, predictionFixture({ chainId: 10, blockNumber: 7, timestamp: now() - 120 }))
  api = await createApiServer({ config, redis, logger: pino({ level: 'debug' }, sink) })
  expect(await api.feed.whenSynced(10_000)).toBe(true)
})

afterAll(async () => {
  await api?.close()
  await redis?.quit().catch(() => {})
  await redisServer?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('GET /predict', () => {
  it('answers the Prediction of DESIGN.md, fresh, with every level and the default horizons', async () => {
    const r = await get('/predict?chainId=1')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^application\/json/)
    const p = PredictionSchema.parse(r.json())
    expect(p).toMatchObject({ chainId: 1, blockNumber: 19_000_000, stale: false })
    expect(p.ageMs).toBeLessThan(10_000)
    expect(p.estimates.map((e) => `${e.confidence}/${e.withinBlocks}`).sort()).toEqual(
      [50, 70, 90, 95, 99].flatMap((c) => [1, 3, 10].map((n) => `${c}/${n}`)).sort(),
    )
    expect(r.headers.get('etag')).toMatch(/^W\/"1-19000000-/)
    expect(r.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/)
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
    expect(r.headers.get('x-request-id')).toMatch(/\S/)
  })

  it('serves every horizon the prediction carries when asked (1, 2, 3, 5, 10, 20)', async () => {
    const p = PredictionSchema.parse(
      (await get('/predict?chainId=1&confidence=90&withinBlocks=2,5,20')).json(),
    )
    expect(p.estimates.map((e) => e.withinBlocks)).toEqual([2, 5, 20])
  })

  it('filters by confidence and horizon', async () => {
    const p = PredictionSchema.parse((await get('/predict?chainId=1&confidence=99,90&withinBlocks=1')).json())
    expect(p.estimates.map((e) => [e.confidence, e.withinBlocks])).toEqual([
      [90, 1],
      [99, 1],
    ])
  })

  it('says stale, with the age, when the data is past the freshness bound', async () => {
    const r = await get('/predict?chainId=10')
    expect(r.status).toBe(200)
    const p = PredictionSchema.parse(r.json())
    expect(p.stale).toBe(true)
    expect(p.ageMs).toBeGreaterThanOrEqual(120_000)
    expect(r.headers.get('cache-control')).toBe('no-cache')
  })

  it('marks an answer stale as it ages in memory, with no new data', async () => {
    // devchain freshness bound: 30 s; this one is 25 to 26 s old (whole seconds), so the first answer has
    // at least 4 s to arrive while fresh: at 29 s a loaded machine's first read could already be past 30.
    await publishPrediction(
      redis,
      predictionFixture({ chainId: 31337, blockNumber: 1, timestamp: now() - 25 }),
    )
    const first = await until(
      () => get('/predict?chainId=31337'),
      (r) => r.status === 200,
    )
    expect(first.status).toBe(200)
    expect(first.json().stale).toBe(false)
    // Nothing new is published: the same answer turns stale by the clock alone (within seconds).
    const later = await until(
      () => get('/predict?chainId=31337'),
      (r) => r.json().stale === true,
      15_000,
    )
    expect(later.json()).toMatchObject({ blockNumber: 1, stale: true })
  })

  it('is 503 with Retry-After for a configured chain without a prediction: no invented number', async () => {
    const r = await get('/predict?chainId=8453')
    expect(r.status).toBe(503)
    expect(r.headers.get('retry-after')).toBe('2')
    expect(r.headers.get('cache-control')).toBe('no-store')
    expect(ErrorSchema.parse(r.json()).error).toMatchObject({ code: 'no_prediction' })
    expect(r.text).not.toMatch(/gwei|maxFee/i)
  })

  it('is 404 for an unknown chain, naming the parameter and the chains served', async () => {
    const r = await get('/predict?chainId=424242')
    expect(r.status).toBe(404)
    const { error } = ErrorSchema.parse(r.json())
    expect(error).toMatchObject({ code: 'unknown_chain', parameter: 'chainId' })
    expect(error.accepted).toEqual(expect.arrayContaining([1, 10, 1337, 8453]))
  })

  it('follows new predictions from pub/sub; the ETag follows the block and If-None-Match gets 304', async () => {
    const first = await get('/predict?chainId=1337')
    const etag = first.headers.get('etag')!
    const again = await get('/predict?chainId=1337', { headers: { 'If-None-Match': etag } })
    expect(again.status).toBe(304)
    expect(again.text).toBe('')
    expect(again.headers.get('etag')).toBe(etag)
    await publishPrediction(redis, predictionFixture({ chainId: 1337, blockNumber: 51, timestamp: now() }))
    const next = await until(
      () => get('/predict?chainId=1337', { headers: { 'If-None-Match': etag } }),
      (r) => r.status === 200,
    )
    expect(next.status).toBe(200)
    expect(next.json().blockNumber).toBe(51)
    expect(next.headers.get('etag')).not.toBe(etag)
  })

  it('answers HEAD like GET without a body', async () => {
    const r = await get('/predict?chainId=1', { method: 'HEAD' })
    expect(r.status).toBe(200)
    expect(r.text).toBe('')
    expect(r.headers.get('etag')).toMatch(/^W\//)
  })
})

describe('compatible shapes', () => {
  it("Blocknative's blockprices, with its published fields", async () => {
    const r = await get('/gasprices/blockprices?chainid=1')
    expect(r.status).toBe(200)
    const body = BlocknativeSchema.parse(r.json())
    expect(Object.keys(r.json()).sort()).toEqual(blocknativeFields)
    expect(body).toMatchObject({
      system: 'ethereum',
      network: 'main',
      unit: 'gwei',
      currentBlockNumber: 19_000_000,
    })
    const block = r.json().blockPrices[0]
    expect(Object.keys(block).sort()).toEqual([
      'baseFeePerGas',
      'blockNumber',
      'estimatedPrices',
      'estimatedTransactionCount',
    ])
    expect(block.estimatedPrices.map((e: { confidence: number }) => e.confidence)).toEqual([
      99, 95, 90, 80, 70,
    ])
    for (const e of block.estimatedPrices)
      expect(Object.keys(e).sort()).toEqual(['confidence', 'maxFeePerGas', 'maxPriorityFeePerGas', 'price'])
    const etag = r.headers.get('etag')!
    expect(
      (await get('/gasprices/blockprices?chainid=1', { headers: { 'If-None-Match': etag } })).status,
    ).toBe(304)
  })

  it("Blocknative's default chain is 1", async () => {
    expect(BlocknativeSchema.parse((await get('/gasprices/blockprices')).json()).currentBlockNumber).toBe(
      19_000_000,
    )
  })

  it("MetaMask's suggestedGasFees, with its published fields", async () => {
    const r = await get('/networks/1/suggestedGasFees')
    expect(r.status).toBe(200)
    const body = MetaMaskSchema.parse(r.json())
    expect(Object.keys(r.json()).sort()).toEqual(metaMaskFields)
    for (const level of [body.low, body.medium, body.high])
      expect(Object.keys(level).sort()).toEqual(
        [
          'maxWaitTimeEstimate',
          'minWaitTimeEstimate',
          'suggestedMaxFeePerGas',
          'suggestedMaxPriorityFeePerGas',
        ].sort(),
      )
    expect(body.low.maxWaitTimeEstimate).toBe(120_000)
    expect(Number(body.high.suggestedMaxPriorityFeePerGas)).toBeGreaterThan(
      Number(body.low.suggestedMaxPriorityFeePerGas),
    )
  })

  it('say 503 stale_data instead of a stale number (they have no field to say it)', async () => {
    for (const path of ['/gasprices/blockprices?chainid=10', '/networks/10/suggestedGasFees']) {
      const r = await get(path)
      expect(r.status).toBe(503)
      expect(r.headers.get('retry-after')).toBe('2')
      expect(ErrorSchema.parse(r.json()).error.code).toBe('stale_data')
    }
  })
})

describe('service routes', () => {
  it('GET /chains lists the configured chains, head, age and model', async () => {
    const { chains } = ChainsSchema.parse((await get('/chains')).json())
    expect(chains.map((c) => c.chainId)).toEqual(expect.arrayContaining([1, 10, 1337, 8453]))
    expect(chains.find((c) => c.chainId === 1)).toMatchObject({
      name: 'Ethereum',
      blockNumber: 19_000_000,
      stale: false,
      model: { version: 'fixture-1' },
    })
    expect(chains.find((c) => c.chainId === 8453)).toMatchObject({
      blockNumber: null,
      ageMs: null,
      stale: true,
      model: null,
    })
  })

  it('GET /healthz and /readyz', async () => {
    expect(HealthSchema.parse((await get('/healthz')).json()).status).toBe('ok')
    const r = await get('/readyz')
    expect(r.status).toBe(200)
    const ready = ReadySchema.parse(r.json())
    expect(ready).toMatchObject({ ready: true, redis: 'up', reasons: [] })
    expect(ready.chains.find((c) => c.chainId === 10)).toMatchObject({ fresh: false })
  })

  it('GET /metrics: Prometheus text, route patterns as labels, never raw paths', async () => {
    await get('/networks/1/suggestedGasFees')
    await get('/no/such/route/with-a-token-abc123')
    const r = await get('/metrics')
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(r.text).toContain(
      'http_route="/networks/:chainId/suggestedGasFees",http_request_method="GET",http_response_status_code="200"',
    )
    expect(r.text).toContain('http_route="unmatched"')
    expect(r.text).not.toContain('abc123')
    expect(r.text).not.toContain('http_route="/networks/1/')
    expect(r.text).toContain(
      'feecast_predicted_max_fee_per_gas_gwei{chain_id="1",confidence="90",within_blocks="3"}',
    )
    expect(r.text).toMatch(/feecast_prediction_age_seconds\{chain_id="1"\} \d/)
  })

  it('GET /openapi.json is generated from the zod schemas', async () => {
    const doc = (await get('/openapi.json')).json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/chains',
        '/gasprices/blockprices',
        '/gasstation/{chainId}',
        '/healthz',
        '/metrics',
        '/networks/{chainId}/suggestedGasFees',
        '/predict',
        '/readyz',
      ].sort(),
    )
    const prediction = doc.components.schemas.Prediction
    expect(prediction.required).toEqual(
      expect.arrayContaining([
        'chainId',
        'blockNumber',
        'pendingBaseFeePerGas',
        'ageMs',
        'stale',
        'estimates',
        'baseFeeForecast',
        'congestion',
        'trust',
        'model',
      ]),
    )
    expect(doc.paths['/predict'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'chainId',
      'confidence',
      'withinBlocks',
    ])
  })

  it('answers a CORS preflight', async () => {
    const r = await get('/predict?chainId=1', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://wallet.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'If-None-Match',
      },
    })
    expect(r.status).toBe(204)
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
    expect(r.headers.get('access-control-allow-methods')).toContain('GET')
    expect(r.headers.get('access-control-allow-headers')).toBe('If-None-Match')
  })
})

describe('bad input gets the documented 4xx, as JSON, and the process stays up', () => {
  const cases: Array<[string, string, number, string, string | undefined]> = [
    // method, path, status, code, parameter named
    ['GET', '/predict', 400, 'bad_parameter', 'chainId'],
    ['GET', '/predict?chainId=abc', 400, 'bad_parameter', 'chainId'],
    ['GET', '/predict?chainId=0', 400, 'bad_parameter', 'chainId'],
    ['GET', '/predict?chainId=-1', 400, 'bad_parameter', 'chainId'],
    ['GET', '/predict?chainId=1.5', 400, 'bad_parameter', 'chainId'],
    ['GET', '/predict?chainId=99999999999999999999', 400, 'bad_parameter', 'chainId'],
    // Past 2^53 - 1 a chain id cannot be held exactly: refused, never rounded to another id.
    ['GET', '/predict?chainId=9999999999999999', 400, 'bad_parameter', 'chainId'],
    ['GET', '/gasstation/9999999999999999', 400, 'bad_parameter', 'chainId'],
    ['GET', '/gasstation/424242', 404, 'unknown_chain', 'chainId'],
    ['GET', '/predict?chainId=%ZZ', 400, 'bad_parameter', 'chainId'],
    ['GET', '/predict?chainId=1&chainId=2', 400, 'bad_parameter', 'chainId'],
    ['GET', '/predict?chainId=1&confidence=80', 400, 'bad_parameter', 'confidence'],
    ['GET', '/predict?chainId=1&confidence=', 400, 'bad_parameter', 'confidence'],
    ['GET', '/predict?chainId=1&confidence=90&confidence=99', 400, 'bad_parameter', 'confidence'],
    ['GET', '/predict?chainId=1&confidence=ninety', 400, 'bad_parameter', 'confidence'],
    ['GET', '/predict?chainId=1&withinBlocks=4', 400, 'bad_parameter', 'withinBlocks'],
    ['GET', '/predict?chainId=1&withinBlocks=1;DROP%20TABLE', 400, 'bad_parameter', 'withinBlocks'],
    ['GET', '/predict?chainId=424242', 404, 'unknown_chain', 'chainId'],
    ['GET', '/gasprices/blockprices?chainid=x', 400, 'bad_parameter', 'chainid'],
    ['GET', '/gasprices/blockprices?chainid=424242', 404, 'unknown_chain', 'chainid'],
    ['GET', '/networks/abc/suggestedGasFees', 400, 'bad_parameter', 'chainId'],
    ['GET', '/networks/424242/suggestedGasFees', 404, 'unknown_chain', 'chainId'],
    ['GET', '/nope', 404, 'not_found', undefined],
    ['GET', '/predict/extra', 404, 'not_found', undefined],
    ['POST', '/predict?chainId=1', 405, 'method_not_allowed', undefined],
    ['DELETE', '/chains', 405, 'method_not_allowed', undefined],
    ['PUT', '/networks/1/suggestedGasFees', 405, 'method_not_allowed', undefined],
    ['PATCH', '/metrics', 405, 'method_not_allowed', undefined],
    ['GET', `/predict?chainId=1&pad=${'x'.repeat(3000)}`, 414, 'uri_too_long', undefined],
  ]
  it.each(cases)('%s %s → %i %s', async (method, path, status, code, parameter) => {
    const r = await get(path, { method })
    expect(r.status).toBe(status)
    expect(r.headers.get('content-type')).toMatch(/^application\/json/)
    const body = ErrorSchema.parse(r.json())
    expect(body.error).toMatchObject({ status, code })
    expect(body.requestId).toBe(r.headers.get('x-request-id'))
    if (parameter !== undefined) {
      expect(body.error.parameter).toBe(parameter)
      expect(body.error.accepted?.length).toBeGreaterThan(0)
    }
    if (status === 405) expect(r.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
  })

  it('a body over the limit is 413', async () => {
    const r = await get('/predict?chainId=1', { method: 'POST', body: 'x'.repeat(5000) })
    expect(r.status).toBe(413)
    expect(ErrorSchema.parse(r.json()).error.code).toBe('payload_too_large')
  })

  it('huge headers are 431, a malformed request 400, both JSON', async () => {
    const huge = await raw(
      `GET /predict?chainId=1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    )
    expect(huge).toMatch(/^HTTP\/1\.1 431 /)
    expect(ErrorSchema.parse(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).error.code).toBe(
      'request_header_fields_too_large',
    )
    const garbage = await raw('THIS IS NOT HTTP\r\n\r\n')
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /)
    expect(ErrorSchema.parse(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4))).error.code).toBe(
      'bad_request',
    )
    seen.push(huge, garbage)
  })

  it('is still up', async () => {
    expect((await get('/healthz')).status).toBe(200)
    expect((await get('/predict?chainId=1')).status).toBe(200)
  })
})

describe('malformed requests', () => {
  it('are logged 60 a minute at most, however many a client sends', { timeout: 60_000 }, async () => {
    const lines: string[] = []
    const own = await createApiServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_SECOND: '0' }),
      redis,
      logger: pino(
        { level: 'info' },
        new Writable({
          write(chunk, _encoding, done) {
            lines.push(chunk.toString())
            done()
          },
        }),
      ),
      chains: [1],
    })
    try {
      const send = () =>
        new Promise<string>((resolve) => {
          const socket = connect(own.port, '127.0.0.1', () => socket.end('THIS IS NOT HTTP\r\n\r\n'))
          let answer = ''
          socket.on('data', (d) => (answer += d.toString()))
          socket.on('close', () => resolve(answer))
          socket.on('error', () => resolve(answer))
        })
      const answers: string[] = []
      for (let i = 0; i < 100; i++) answers.push(await send())
      // Every one is answered; only the budget's worth is written.
      expect(answers.filter((a) => /^HTTP\/1\.1 400 /.test(a))).toHaveLength(100)
      expect(lines.filter((l) => l.includes('rejected a malformed request'))).toHaveLength(60)
    } finally {
      await own.close()
    }
  })
})

describe('rate limit', () => {
  it('answers 429 with Retry-After over the limit; probes are not limited', async () => {
    // The requests' clock stands still: on the real one, six requests that took a loaded machine a second
    // would find a token refilled (1 a second) and be answered, which is the limit working, not failing.
    const clock = Date.now()
    const limited = await createApiServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' }),
      redis,
      logger: pino({ level: 'silent' }),
      chains: [1],
      now: () => clock,
    })
    try {
      await limited.feed.whenSynced()
      const statuses = []
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${limited.url}/predict?chainId=1`)).status)
      expect(statuses).toEqual([200, 200, 200, 429, 429])
      const r = await fetch(`${limited.url}/predict?chainId=1`)
      expect(r.headers.get('retry-after')).toBe('1')
      expect(ErrorSchema.parse(await r.json()).error.code).toBe('rate_limited')
      for (let i = 0; i < 5; i++) expect((await fetch(`${limited.url}/healthz`)).status).toBe(200)
    } finally {
      await limited.close()
    }
  })
})

describe('secrets', () => {
  it('never reach a log line or an answer', async () => {
    await new Promise((r) => setTimeout(r, 50))
    const logs = logLines.join('')
    expect(logs).toContain('"reqId"')
    for (const secret of [rpcKey, redisPassword]) {
      expect(logs).not.toContain(secret)
      expect(seen.join('\n')).not.toContain(secret)
    }
  })
})

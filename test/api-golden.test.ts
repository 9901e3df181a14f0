import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CreateApiServerReturnType, createApiServer } from '../src/api/server.js'
import { loadConfig } from '../src/config.js'
import { predictionFixture, publishPrediction } from './support/predictionFixture.js'
import { startTestRedis, type TestRedis } from './support/redis.js'

/**
 * Golden answers: every route of the API, errors included, answered for fixed predictions at a fixed
 * clock, byte for byte (status, every header but Date, body), as recorded in test/golden/api.json.
 * Restructuring the API must not change one of them. Requests go over raw sockets with
 * `Connection: close`, so what is compared is exactly what a client receives.
 *
 * To record (only for an intended change of an answer): UPDATE_GOLDEN=1 npx vitest run test/api-golden.test.ts
 */

const goldenFile = join(dirname(fileURLToPath(import.meta.url)), 'golden', 'api.json')
const update = process.env.UPDATE_GOLDEN === '1'
/** 2027-01-15T08:00:00Z: every answer is computed at this instant. */
const clock = 1_800_000_000_000
const seconds = clock / 1000

type Answer = { status: number; headers: Record<string, string>; body: string }
type Case = { name: string; server?: 'main' | 'limited' | 'keyed'; request: string }

let redis: TestRedis
const servers: Record<'main' | 'limited' | 'keyed', CreateApiServerReturnType | undefined> = {
  main: undefined,
  limited: undefined,
  keyed: undefined,
}
const apiKey = 'golden-key-0123456789abcdef'

const get = (target: string, headers: Record<string, string> = {}, method = 'GET') =>
  `${method} ${target} HTTP/1.1\r\nHost: feecast.test\r\n${Object.entries(headers)
    .map(([n, v]) => `${n}: ${v}\r\n`)
    .join('')}Connection: close\r\n\r\n`

const etag1 = 'W/"1-19000000-mywpiurm"'

const cases: Case[] = [
  { name: 'predict default', request: get('/predict?chainId=1', { 'X-Request-Id': 'T.1' }) },
  {
    name: 'predict feecastFees query',
    request: get('/predict?chainId=1&confidence=90&withinBlocks=3', { 'X-Request-Id': 'T.2' }),
  },
  {
    name: 'predict filtered, any order',
    request: get('/predict?chainId=1&confidence=99,50&withinBlocks=20,1', { 'X-Request-Id': 'T.3' }),
  },
  {
    name: 'predict encoded comma',
    request: get('/predict?chainId=1&confidence=90%2C99', { 'X-Request-Id': 'T.4' }),
  },
  {
    name: 'predict revalidation 304',
    request: get('/predict?chainId=1', { 'If-None-Match': etag1, 'X-Request-Id': 'T.5' }),
  },
  {
    name: 'predict revalidation list and star',
    request: get('/predict?chainId=1', { 'If-None-Match': `"x", ${etag1}`, 'X-Request-Id': 'T.6' }),
  },
  {
    name: 'predict stale etag 200',
    request: get('/predict?chainId=1', { 'If-None-Match': 'W/"1-18999999-x"', 'X-Request-Id': 'T.7' }),
  },
  { name: 'predict HEAD', request: get('/predict?chainId=1', { 'X-Request-Id': 'T.8' }, 'HEAD') },
  { name: 'predict stale chain', request: get('/predict?chainId=10', { 'X-Request-Id': 'T.9' }) },
  {
    name: 'predict configured, no prediction',
    request: get('/predict?chainId=8453', { 'X-Request-Id': 'T.10' }),
  },
  { name: 'predict unknown chain', request: get('/predict?chainId=424242', { 'X-Request-Id': 'T.11' }) },
  { name: 'predict no chainId', request: get('/predict', { 'X-Request-Id': 'T.12' }) },
  { name: 'predict bad chainId', request: get('/predict?chainId=abc', { 'X-Request-Id': 'T.13' }) },
  {
    name: 'predict chainId past 2^53',
    request: get('/predict?chainId=9999999999999999', { 'X-Request-Id': 'T.14' }),
  },
  {
    name: 'predict repeated chainId',
    request: get('/predict?chainId=1&chainId=2', { 'X-Request-Id': 'T.15' }),
  },
  {
    name: 'predict bad confidence',
    request: get('/predict?chainId=1&confidence=80', { 'X-Request-Id': 'T.16' }),
  },
  {
    name: 'predict bad horizon',
    request: get('/predict?chainId=1&withinBlocks=4', { 'X-Request-Id': 'T.17' }),
  },
  { name: 'predict generated request id', request: get('/predict?chainId=1&confidence=50&withinBlocks=1') },
  {
    name: 'predict unusable request id',
    request: get('/predict?chainId=1&confidence=50&withinBlocks=1', { 'X-Request-Id': 'x'.repeat(80) }),
  },
  {
    name: 'predict with Origin',
    request: get('/predict?chainId=1&confidence=95', {
      Origin: 'https://wallet.example',
      'X-Request-Id': 'T.19',
    }),
  },
  { name: 'predict extra path', request: get('/predict/extra', { 'X-Request-Id': 'T.20' }) },
  { name: 'predict POST 405', request: get('/predict?chainId=1', { 'X-Request-Id': 'T.21' }, 'POST') },
  {
    name: 'predict body too large',
    request: `POST /predict?chainId=1 HTTP/1.1\r\nHost: feecast.test\r\nX-Request-Id: g22\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n${'x'.repeat(5000)}`,
  },
  {
    name: 'predict GET with small body',
    request: `GET /predict?chainId=1&confidence=70 HTTP/1.1\r\nHost: feecast.test\r\nX-Request-Id: g23\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
  },
  {
    name: 'predict chunked body',
    request: `GET /predict?chainId=1 HTTP/1.1\r\nHost: feecast.test\r\nX-Request-Id: g24\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
  },
  {
    name: 'predict target too long',
    request: get(`/predict?chainId=1&pad=${'x'.repeat(3000)}`, { 'X-Request-Id': 'T.25' }),
  },
  { name: 'blocknative', request: get('/gasprices/blockprices?chainid=1', { 'X-Request-Id': 'T.26' }) },
  { name: 'blocknative default chain', request: get('/gasprices/blockprices', { 'X-Request-Id': 'T.27' }) },
  {
    name: 'blocknative stale',
    request: get('/gasprices/blockprices?chainid=10', { 'X-Request-Id': 'T.28' }),
  },
  {
    name: 'blocknative bad chainid',
    request: get('/gasprices/blockprices?chainid=x', { 'X-Request-Id': 'T.29' }),
  },
  {
    name: 'blocknative 304',
    request: get('/gasprices/blockprices?chainid=1', {
      'If-None-Match': 'W/"1-19000000-mywpiurm.bn"',
      'X-Request-Id': 'T.30',
    }),
  },
  { name: 'metamask', request: get('/networks/1/suggestedGasFees', { 'X-Request-Id': 'T.31' }) },
  { name: 'metamask devchain', request: get('/networks/1337/suggestedGasFees', { 'X-Request-Id': 'T.32' }) },
  { name: 'metamask stale', request: get('/networks/10/suggestedGasFees', { 'X-Request-Id': 'T.33' }) },
  { name: 'metamask bad chain', request: get('/networks/abc/suggestedGasFees', { 'X-Request-Id': 'T.34' }) },
  {
    name: 'metamask unknown chain',
    request: get('/networks/424242/suggestedGasFees', { 'X-Request-Id': 'T.35' }),
  },
  {
    name: 'metamask PUT 405',
    request: get('/networks/1/suggestedGasFees', { 'X-Request-Id': 'T.36' }, 'PUT'),
  },
  { name: 'gas station', request: get('/gasstation/1', { 'X-Request-Id': 'T.37' }) },
  { name: 'gas station no prediction', request: get('/gasstation/8453', { 'X-Request-Id': 'T.38' }) },
  { name: 'chains', request: get('/chains', { 'X-Request-Id': 'T.39' }) },
  { name: 'chains DELETE 405', request: get('/chains', { 'X-Request-Id': 'T.40' }, 'DELETE') },
  { name: 'healthz', request: get('/healthz', { 'X-Request-Id': 'T.41' }) },
  { name: 'readyz', request: get('/readyz', { 'X-Request-Id': 'T.42' }) },
  { name: 'openapi', request: get('/openapi.json', { 'X-Request-Id': 'T.43' }) },
  { name: 'not found', request: get('/nope', { 'X-Request-Id': 'T.44' }) },
  {
    name: 'CORS preflight',
    request: get(
      '/predict?chainId=1',
      {
        Origin: 'https://wallet.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'X-Client-Id, Authorization, X-Unknown',
        'X-Request-Id': 'T.45',
      },
      'OPTIONS',
    ),
  },
  {
    name: 'OPTIONS without a preflight',
    request: get(
      '/predict?chainId=1',
      { Origin: 'https://wallet.example', 'X-Request-Id': 'T.46' },
      'OPTIONS',
    ),
  },
  { name: 'malformed request line', request: 'GARBAGE\r\n\r\n' },
  {
    name: 'missing Host',
    request: 'GET /predict?chainId=1 HTTP/1.1\r\nX-Request-Id: T.47\r\nConnection: close\r\n\r\n',
  },
  {
    name: 'malformed Host',
    request: get('/healthz', { 'X-Request-Id': 'T.48' }).replace('Host: feecast.test', 'Host: a b'),
  },
  {
    name: 'keyed: no key',
    server: 'keyed',
    request: get('/predict?chainId=1&confidence=90', { 'X-Request-Id': 'K.1' }),
  },
  {
    name: 'keyed: unknown key',
    server: 'keyed',
    request: get('/predict?chainId=1&confidence=90', {
      'X-Request-Id': 'K.2',
      Authorization: 'Bearer not-a-key-0123456789',
    }),
  },
  {
    name: 'keyed: bearer key',
    server: 'keyed',
    request: get('/predict?chainId=1&confidence=90', {
      'X-Request-Id': 'K.3',
      Authorization: `Bearer ${apiKey}`,
    }),
  },
  {
    name: 'keyed: X-API-Key',
    server: 'keyed',
    request: get('/networks/1/suggestedGasFees', { 'X-Request-Id': 'K.4', 'X-API-Key': apiKey }),
  },
  { name: 'keyed: probes need none', server: 'keyed', request: get('/healthz', { 'X-Request-Id': 'K.5' }) },
  { name: 'headers too large', request: get('/predict?chainId=1', { 'X-Big': 'y'.repeat(20_000) }) },
  {
    name: 'limited: first request',
    server: 'limited',
    request: get('/predict?chainId=1&confidence=99', {
      'X-Request-Id': 'L.1',
      Origin: 'https://wallet.example',
    }),
  },
  {
    name: 'limited: over the limit',
    server: 'limited',
    request: get('/predict?chainId=1&confidence=99', {
      'X-Request-Id': 'L.2',
      Origin: 'https://wallet.example',
    }),
  },
  {
    name: 'limited: probes are not limited',
    server: 'limited',
    request: get('/healthz', { 'X-Request-Id': 'L.3' }),
  },
  {
    name: 'limited: origin not allowed',
    server: 'limited',
    request: get('/healthz', { 'X-Request-Id': 'L.4', Origin: 'https://evil.example' }),
  },
  {
    name: 'limited: 404 over the limit',
    server: 'limited',
    request: get('/nope', { 'X-Request-Id': 'L.5', Origin: 'https://wallet.example' }),
  },
]

/** Sends raw request bytes and reads the whole answer (the request says Connection: close). */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request))
    const chunks: Buffer[] = []
    socket.on('data', (d: Buffer) => chunks.push(d))
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    socket.on('error', (e) =>
      chunks.length > 0 ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(e),
    )
  })
}

/** A generated request id (`<6 base36>-<counter>`) varies per process: named, not compared. */
const generated = /\b[0-9a-z]{6}-[0-9a-z]{1,8}\b/g

function parse(raw: string): Answer {
  const split = raw.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = raw.slice(0, split).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).toLowerCase()
    if (name === 'date') continue
    const value = line.slice(colon + 1).trim()
    headers[name] = name === 'x-request-id' ? value.replace(generated, '<generated>') : value
  }
  const body = raw
    .slice(split + 4)
    .replace(/"requestId":"[0-9a-z]{6}-[0-9a-z]{1,8}"/g, '"requestId":"<generated>"')
  return {
    status: Number(statusLine.split(' ')[1]),
    headers: Object.fromEntries(Object.entries(headers).sort()),
    body,
  }
}

beforeAll(async () => {
  redis = await startTestRedis()
  const client = redis.client()
  const fixed = (chainId: number, blockNumber: number, age: number) =>
    predictionFixture({ chainId, blockNumber, timestamp: seconds - age, createdAt: clock - age * 1000 + 250 })
  await publishPrediction(client, fixed(1, 19_000_000, 3))
  await publishPrediction(client, fixed(1337, 50, 1))
  await publishPrediction(client, fixed(10, 7, 120))
  const base = {
    PORT: '0',
    HOST: '127.0.0.1',
    RPC_URL_1: 'https://rpc.example/v3/KEY',
    RPC_URL_8453: 'https://base.example/KEY',
  }
  const logger = pino({ level: 'silent' })
  servers.main = await createApiServer({
    config: loadConfig({ ...base, RATE_LIMIT_PER_SECOND: '0' }),
    redis: client,
    logger,
    now: () => clock,
  })
  servers.limited = await createApiServer({
    config: loadConfig({
      ...base,
      RATE_LIMIT_PER_SECOND: '1',
      RATE_LIMIT_BURST: '1',
      CORS_ORIGINS: 'https://wallet.example,https://other.example',
    }),
    redis: client,
    logger,
    now: () => clock,
  })
  servers.keyed = await createApiServer({
    config: loadConfig({ ...base, RATE_LIMIT_PER_SECOND: '0', API_KEYS: apiKey }),
    redis: client,
    logger,
    now: () => clock,
  })
  for (const server of Object.values(servers)) expect(await server?.feed.whenSynced(10_000)).toBe(true)
}, 60_000)

afterAll(async () => {
  for (const server of Object.values(servers)) await server?.close()
  await redis?.stop()
})

describe('golden answers (test/golden/api.json)', () => {
  it('answers every recorded request exactly as recorded', async () => {
    const answers: Record<string, Answer> = {}
    for (const { name, server = 'main', request } of cases) {
      const api = servers[server]
      if (!api) throw new Error(`server ${server} did not start`)
      answers[name] = parse(await exchange(api.port, request))
    }
    // /metrics changes with every request: its status and type are golden, not its text.
    const metrics = parse(await exchange(servers.main!.port, get('/metrics', { 'X-Request-Id': 'M.1' })))
    const { 'content-length': _length, ...metricsHeaders } = metrics.headers
    answers.metrics = {
      ...metrics,
      headers: metricsHeaders,
      body: metrics.body.includes('http_server_request_duration_seconds')
        ? '<prometheus text>'
        : metrics.body,
    }
    if (update || !existsSync(goldenFile)) {
      writeFileSync(goldenFile, `${JSON.stringify(answers, null, 1)}\n`)
      if (!update) throw new Error(`${goldenFile} did not exist: recorded now; run again`)
      return
    }
    const golden = JSON.parse(readFileSync(goldenFile, 'utf8')) as Record<string, Answer>
    expect(Object.keys(answers)).toEqual(Object.keys(golden))
    for (const name of Object.keys(golden)) expect(answers[name], name).toEqual(golden[name])
  })
})

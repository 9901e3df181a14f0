import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, redactConfig, secretRedactor, unknownSettings } from './config.js'

/** The ConfigError loadConfig throws for `env` (the test fails if it throws none, or another error). */
function configErrorOf(env: Record<string, string>): ConfigError {
  let error: unknown
  try {
    loadConfig(env)
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

describe('loadConfig', () => {
  it('has a complete default: the embedded devchain and Redis', () => {
    const c = loadConfig({})
    expect(c.chains).toEqual([])
    expect(c.port).toBe(8080)
    expect(c.stateDir).toBe('.feecast')
    expect(c.redisUrl).toBeUndefined()
  })
  it('reads chains with comma-separated fallbacks', () => {
    const c = loadConfig({
      RPC_URL_1: 'https://a.example/v3/KEY1, https://b.example/KEY2',
      RPC_URL_8453: 'wss://c.example',
    })
    expect(c.chains).toEqual([
      { chainId: 1, rpcUrls: ['https://a.example/v3/KEY1', 'https://b.example/KEY2'] },
      { chainId: 8453, rpcUrls: ['wss://c.example'] },
    ])
  })
  const bad: Array<[Record<string, string>, string, RegExp]> = [
    [{ PORT: 'eighty' }, 'PORT', /PORT = "eighty"/],
    [{ PORT: '70000' }, 'PORT', /PORT/],
    [{ HISTORY_BLOCKS: '-1' }, 'HISTORY_BLOCKS', /HISTORY_BLOCKS/],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL', /redis:\/\//],
    [{ RPC_URL_1: 'not a url' }, 'RPC_URL_1', /RPC_URL_1 has a bad endpoint/],
    [{ RPC_URL_1: 'ftp://x/key' }, 'RPC_URL_1', /http\(s\) or ws\(s\)/],
    [{ RPC_URL_1: ' , ' }, 'RPC_URL_1', /is empty/],
    [{ RPC_URL_MAINNET: 'https://x' }, 'RPC_URL_MAINNET', /RPC_URL_<chainId>/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /LOG_LEVEL/],
    [{ EMBEDDED_REDIS: 'off' }, 'REDIS_URL', /required when EMBEDDED_REDIS is off/],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY', /takes the addresses of the trusted proxies now/],
    [
      { TRUST_PROXY: '10.0.0.1, proxy.local' },
      'TRUST_PROXY',
      /"proxy.local" is not an IP address or CIDR range/,
    ],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY', /not an IP address or CIDR range/],
    [{ MAX_CONNECTIONS_PER_CLIENT: '0' }, 'MAX_CONNECTIONS_PER_CLIENT', /MAX_CONNECTIONS_PER_CLIENT/],
    [{ RPC_MAX_RESPONSE_BYTES: '100' }, 'RPC_MAX_RESPONSE_BYTES', /RPC_MAX_RESPONSE_BYTES/],
    [{ API_KEYS: 'short' }, 'API_KEYS', /entry 1: a key must be 16 to 256 characters/],
    [{ API_KEYS: 'aaaaaaaaaaaaaaaa,aaaaaaaaaaaaaaaa' }, 'API_KEYS', /given twice/],
    [{ API_KEYS_FILE: '/no/such/file' }, 'API_KEYS_FILE', /cannot be read \(ENOENT\)/],
  ]
  it.each(bad)('rejects %j naming %s', (env, variable, message) => {
    try {
      loadConfig(env)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).variable).toBe(variable)
      expect((error as Error).message).toMatch(message)
    }
  })
  it('takes the trusted proxies as a list of addresses and ranges; none by default or when false', () => {
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,fd00::/8' }).api.trustedProxies).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      'fd00::/8',
    ])
    expect(loadConfig({}).api.trustedProxies).toEqual([])
    expect(loadConfig({ TRUST_PROXY: 'false' }).api.trustedProxies).toEqual([])
  })
  it('reads API keys from API_KEYS and API_KEYS_FILE, each with its limit, and never prints them', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'feecast-keys-')), 'keys')
    writeFileSync(file, '# keys\nfilekey-0000000000000001 5 7\n\nfilekey-0000000000000002\n')
    const c = loadConfig({
      API_KEYS: 'envkey-00000000000001',
      API_KEYS_FILE: file,
      RATE_LIMIT_PER_SECOND: '3',
    })
    expect(c.api.apiKeys).toEqual([
      { id: 'key#1', key: 'envkey-00000000000001', perSecond: 3, burst: 60 },
      { id: 'key#2', key: 'filekey-0000000000000001', perSecond: 5, burst: 7 },
      { id: 'key#3', key: 'filekey-0000000000000002', perSecond: 3, burst: 60 },
    ])
    expect(JSON.stringify(redactConfig(c))).not.toMatch(/envkey|filekey/)
    writeFileSync(file, 'filekey-0000000000000001 fast\n')
    expect(() => loadConfig({ API_KEYS_FILE: file })).toThrowError(/API_KEYS_FILE line 1: expected <key>/)
    expect(() => loadConfig({ API_KEYS_FILE: file })).not.toThrowError(/filekey/)
  })
  it('reads numbers in decimal digits only: 0x50 is no port 80, 1e3 no 1000', () => {
    expect(loadConfig({ PORT: '8080' }).port).toBe(8080)
    expect(loadConfig({ PORT: ' 9090 ' }).port).toBe(9090)
    for (const PORT of ['0x50', '1e3', 'Infinity', '8080.5', '70000', '-1'])
      expect(() => loadConfig({ PORT }), PORT).toThrowError(/PORT/)
    expect(() => loadConfig({ PORT: '0x50' })).toThrowError(/decimal digits/)
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: '2.5' }).api.rateLimitPerSecond).toBe(2.5)
    expect(() => loadConfig({ RPC_TIMEOUT_MS: '1e3' })).toThrowError(/RPC_TIMEOUT_MS/)
  })
  it('never shows a secret in an error', () => {
    expect(() => loadConfig({ RPC_URL_1: 'ftp://host/secretkey123' })).toThrowError(/^(?!.*secretkey123)/s)
    expect(() => loadConfig({ REDIS_URL: 'redis://:hunter2@host:6379', PORT: 'x' })).not.toThrowError(
      /hunter2/,
    )
  })
})

describe('Redis under Sentinel or Cluster', () => {
  it('reads the Sentinels, the master name and the passwords, with a replica for the lease by default', () => {
    const c = loadConfig({
      REDIS_SENTINELS: 'sentinel-a:26379, 10.0.0.2:26380,[::1]:26381',
      REDIS_SENTINEL_NAME: 'feecast',
      REDIS_PASSWORD: 'data-secret-1',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret-2',
    })
    expect(c.store).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'feecast',
      password: 'data-secret-1',
      sentinelPassword: 'sentinel-secret-2',
      username: undefined,
    })
    expect(c.leaseReplicas).toBe(1)
    expect(c.legacyLayout).toBe(true)
    const printed = JSON.stringify(redactConfig(c))
    expect(printed).not.toMatch(/secret-1|secret-2/)
    expect(printed).toContain('sentinel-a')
    const redact = secretRedactor(c)
    expect(redact('NOAUTH data-secret-1 and sentinel-secret-2')).not.toMatch(/secret-1|secret-2/)
  })
  it('reads the Cluster nodes; the old layout is off there and cannot be turned on', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000,r2:7001', REDIS_LEASE_REPLICAS: '2' })
    expect(c.store).toMatchObject({
      kind: 'cluster',
      nodes: [
        { host: 'r1', port: 7000 },
        { host: 'r2', port: 7001 },
      ],
    })
    expect(c.leaseReplicas).toBe(2)
    expect(c.legacyLayout).toBe(false)
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000', FEECAST_LEGACY_LAYOUT: 'on' })).toThrow(
      /FEECAST_LEGACY_LAYOUT cannot be on with REDIS_CLUSTER_NODES/,
    )
  })
  it('keeps REDIS_URL as it was: one server, no replica to wait for', () => {
    const c = loadConfig({ REDIS_URL: 'redis://:pw@h:6379/0' })
    expect(c.store).toEqual({ kind: 'url', url: 'redis://:pw@h:6379/0' })
    expect(c.leaseReplicas).toBe(0)
  })
  const bad: Array<[Record<string, string>, string, RegExp]> = [
    [{ REDIS_SENTINELS: 'h:26379' }, 'REDIS_SENTINEL_NAME', /required with REDIS_SENTINELS/],
    [{ REDIS_SENTINELS: 'h', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS', /"h" is not host:port/],
    [
      { REDIS_SENTINELS: 'h:99999', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINELS',
      /"h:99999" is not host:port/,
    ],
    [{ REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINEL_NAME', /without REDIS_SENTINELS/],
    [{ REDIS_CLUSTER_NODES: ' , ' }, 'REDIS_CLUSTER_NODES', /lists no host:port/],
    [
      { REDIS_URL: 'redis://h', REDIS_CLUSTER_NODES: 'h:7000' },
      'REDIS_CLUSTER_NODES',
      /cannot be set with REDIS_URL/,
    ],
    [
      { REDIS_URL: 'redis://h', REDIS_PASSWORD: 'hunter22' },
      'REDIS_PASSWORD',
      /put the credentials in the URL/,
    ],
    [{ REDIS_LEASE_REPLICAS: 'one' }, 'REDIS_LEASE_REPLICAS', /REDIS_LEASE_REPLICAS/],
  ]
  it.each(bad)('%o names %s', (env, variable, message) => {
    const error = configErrorOf(env)
    expect(error.variable).toBe(variable)
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('hunter22')
  })
})

describe('redactConfig', () => {
  it('hides API keys in every URL', () => {
    const c = loadConfig({
      RPC_URL_1: 'https://mainnet.infura.io/v3/abcdef123456',
      REDIS_URL: 'redis://:pw@redis:6379/0',
    })
    const printed = JSON.stringify(redactConfig(c))
    expect(printed).not.toContain('abcdef123456')
    expect(printed).not.toContain('pw@')
    expect(printed).toContain('https://mainnet.infura.io/***')
  })
})

describe('traces and the Grafana link (issue 15)', () => {
  it('traces are off by default, and on with the standard OTLP endpoint', () => {
    expect(loadConfig({}).tracing).toBeUndefined()
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      serviceName: 'feecast',
    })
    // The traces endpoint is used as given, and wins over the base one.
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp/spans',
        OTEL_SERVICE_NAME: 'feecast-eu',
      }).tracing,
    ).toEqual({ tracesUrl: 'https://traces.example/otlp/spans', serviceName: 'feecast-eu' })
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing,
    ).toBeUndefined()
  })

  it('refuses an endpoint that is not an http(s) URL, naming it and hiding its secrets', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrowError(
      /OTEL_EXPORTER_OTLP_ENDPOINT .*must use http or https/,
    )
    expect(() =>
      loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://c/v1/traces?token=tOkEn123456' }),
    ).toThrowError(/^(?!.*tOkEn123456).*OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/s)
    expect(() => loadConfig({ GRAFANA_URL: 'not a url' })).toThrowError(
      /GRAFANA_URL is not a URL: it has no scheme: start it with http:\/\/ or https:\/\//,
    )
    // A key in an RPC URL without its scheme is never shown, and the fix is named.
    const noScheme = () => loadConfig({ RPC_URL_1: 'mainnet.infura.io/v3/abc123secretkey' })
    expect(noScheme).toThrowError(
      /RPC_URL_1 .*has no scheme: start it with http:\/\/ or https:\/\/ or ws:\/\/ or wss:\/\//,
    )
    expect(noScheme).not.toThrowError(/abc123secretkey/)
    expect(() => loadConfig({ RPC_URL_1: 'https://bad host/v3/abc123secretkey' })).toThrowError(
      /RPC_URL_1 has a bad endpoint: it cannot be read as a URL/,
    )
    expect(() => loadConfig({ OTEL_SERVICE_NAME: 'has spaces' })).toThrowError(/OTEL_SERVICE_NAME/)
  })

  it('reads GRAFANA_URL, and prints both redacted', () => {
    const c = loadConfig({
      GRAFANA_URL: 'https://grafana.example/d/feecast',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://user:pw123456@traces.example/v1/traces',
    })
    expect(c.grafanaUrl).toBe('https://grafana.example/d/feecast')
    expect(loadConfig({}).grafanaUrl).toBeUndefined()
    const printed = JSON.stringify(redactConfig(c))
    expect(printed).not.toContain('pw123456')
    expect(printed).toContain('https://traces.example/***')
  })
})

describe('BLOB_SCHEDULE_<chainId>', () => {
  const dir = mkdtempSync(join(tmpdir(), 'feecast-blob-schedule-'))
  const write = (name: string, text: string) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }
  /** The file's forks as written (and as the start log shows them: the fraction as a string). */
  const forksInFile = [
    {
      name: 'osaka',
      activationTime: 0,
      target: 6,
      max: 9,
      baseFeeUpdateFraction: '5007716',
      reservePrice: true,
    },
    {
      name: 'bpo3',
      activationTime: 1_900_000_000,
      target: 21,
      max: 32,
      baseFeeUpdateFraction: '20000000',
      reservePrice: true,
    },
  ]
  const bpo3 = write('bpo3.json', JSON.stringify({ forks: forksInFile }))
  const rpc = 'https://rpc.example.org/v2/secretkey123'

  it("reads a chain's schedule file, forks in order, and logs the file and each fork's numbers", () => {
    const config = loadConfig({ RPC_URL_10: rpc, BLOB_SCHEDULE_10: bpo3 })
    const chain = config.chains.find((c) => c.chainId === 10)
    expect(chain?.blobSchedule?.file).toBe(bpo3)
    expect(chain?.blobSchedule?.forks.map((f) => [f.name, f.max, f.baseFeeUpdateFraction])).toEqual([
      ['osaka', 9, 5007716n],
      ['bpo3', 32, 20000000n],
    ])
    // Printable: no bigint in the logged settings (pino would throw), no key.
    const shown = JSON.stringify(redactConfig(config))
    expect(JSON.parse(shown).chains[0].blobSchedule).toEqual({ file: bpo3, forks: forksInFile })
    expect(shown).not.toContain('secretkey123')
  })

  it('is not read by an API replica, which samples nothing (one environment may serve every role)', () => {
    const config = loadConfig({ FEECAST_ROLE: 'api', RPC_URL_10: rpc, BLOB_SCHEDULE_10: '/no/such/file' })
    expect(config.chains[0]?.blobSchedule).toBeUndefined()
    expect(() => loadConfig({ FEECAST_ROLE: 'api', BLOB_SCHEDULE_10: bpo3 })).not.toThrow()
  })

  it('names where a file stops being JSON without quoting it (a wrong file may hold a secret)', () => {
    const error = configErrorOf({
      RPC_URL_10: rpc,
      BLOB_SCHEDULE_10: write('env.json', 'RPC_URL_10=hunter2secret'),
    })
    expect(error.shortMessage).toMatch(/BLOB_SCHEDULE_10 = .*env\.json: not valid JSON \(/)
    expect(error.message).not.toContain('hunter2secret')
    expect(error.message).not.toContain('RPC_URL_10=')
  })

  it.each([
    [{ BLOB_SCHEDULE_X: bpo3 }, 'BLOB_SCHEDULE_X', /not a valid name: use BLOB_SCHEDULE_<chainId>/],
    [{ BLOB_SCHEDULE_10: bpo3 }, 'BLOB_SCHEDULE_10', /no RPC_URL_10 configures/],
    [{ RPC_URL_10: rpc, BLOB_SCHEDULE_10: ' ' }, 'BLOB_SCHEDULE_10', /is empty/],
    [{ RPC_URL_10: rpc, BLOB_SCHEDULE_10: '/no/such/file' }, 'BLOB_SCHEDULE_10', /cannot be read \(ENOENT\)/],
    [
      { RPC_URL_10: rpc, BLOB_SCHEDULE_10: write('bad.json', '{"forks": [') },
      'BLOB_SCHEDULE_10',
      /not valid JSON/,
    ],
    [
      {
        RPC_URL_10: rpc,
        BLOB_SCHEDULE_10: write(
          'target.json',
          '{"forks":[{"name":"x","activationTime":0,"target":9,"max":6,"baseFeeUpdateFraction":"1","reservePrice":false}]}',
        ),
      },
      'BLOB_SCHEDULE_10',
      /fork "x": max 6 must be a whole number of blobs above the target \(9\)/,
    ],
  ])('refuses %j naming %s', (env, variable, problem) => {
    const error = configErrorOf(env)
    expect(error.variable).toBe(variable)
    expect(error.message).toMatch(problem)
    expect(error.message).not.toContain('secretkey123')
  })
})

describe('unknownSettings', () => {
  it('names a variable that looks like a setting but is none, with the closest one', () => {
    expect(
      unknownSettings({
        REDIS_URI: 'redis://x',
        HISTORY_BLOCK: '100',
        FEECAST_PORT: '9000',
        REDIS_URL: 'redis://y',
        RPC_URL_1: 'https://x',
        BLOB_SCHEDULE_1: 'f',
        FEECAST_SETUP: 'off',
        PATH: '/bin',
        NODE_ENV: 'production',
        HOME: '/root',
        REDIS_WHATEVER_ELSE: 'x',
        HTTP_PROXY: 'http://proxy',
        OTEL_RESOURCE_ATTRIBUTES: 'a=b',
        RPC_RETRY: '3',
      }),
    ).toEqual([
      { name: 'FEECAST_PORT', didYouMean: 'PORT' },
      { name: 'HISTORY_BLOCK', didYouMean: 'HISTORY_BLOCKS' },
      { name: 'REDIS_URI', didYouMean: 'REDIS_URL' },
      { name: 'REDIS_WHATEVER_ELSE', didYouMean: undefined },
      { name: 'RPC_RETRY', didYouMean: 'RPC_RETRIES' },
    ])
  })
})

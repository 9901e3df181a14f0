import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { createRedactor, endpointLabel, isKeyLike, redactUrl, urlSecrets } from './redact.js'

describe('redactUrl', () => {
  it.each([
    ['https://mainnet.infura.io/v3/0123456789abcdef', 'https://mainnet.infura.io/***'],
    ['https://eth.llamarpc.com', 'https://eth.llamarpc.com'],
    ['https://rpc.example?apikey=SECRET', 'https://rpc.example/***'],
    ['https://user:SECRET@rpc.example', 'https://rpc.example/***'],
    ['http://127.0.0.1:8545', 'http://127.0.0.1:8545'],
    ['wss://mainnet.infura.io/ws/v3/0123456789abcdef', 'wss://mainnet.infura.io/***'],
    ['ws://user:SECRET@127.0.0.1:8546', 'ws://127.0.0.1:8546/***'],
    ['ws://127.0.0.1:8545', 'ws://127.0.0.1:8545'],
    ['nonsense SECRET', '<unparseable url>'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected)
  })
  it('labels endpoints by host and position only', () => {
    expect(endpointLabel('https://eth-mainnet.g.alchemy.com/v2/KEY', 1)).toBe('eth-mainnet.g.alchemy.com#1')
    expect(endpointLabel('wss://eth-mainnet.g.alchemy.com/v2/KEY', 0)).toBe('eth-mainnet.g.alchemy.com#0')
  })
  it('hides a key that is the host (a host per customer), never the domain, a word or an address', () => {
    const keyed = 'https://0123abcd4567ef89.rpc.example.com:8443/'
    expect(endpointLabel(keyed, 0)).toBe('***.rpc.example.com:8443#0')
    expect(redactUrl(keyed)).toBe('https://***.rpc.example.com:8443')
    expect(urlSecrets(keyed)).toEqual(['0123abcd4567ef89'])
    expect(endpointLabel('https://7c9e6679-7425-40de-944b-e07fc1f90ae7.rpc.example/', 2)).toBe(
      '***.rpc.example#2',
    )
    expect(
      createRedactor({ urls: [keyed] })('getaddrinfo ENOTFOUND 0123abcd4567ef89.rpc.example.com'),
    ).not.toContain('0123abcd4567ef89')
    for (const plain of [
      'https://mainnet.infura.io/v3/KEY',
      'https://broken-sparkling-wind.quiknode.pro/KEY/',
      'https://nd-123-456-789.p2pify.com/KEY',
      'https://bsc-dataseed1.binance.org',
      'https://zksync2-mainnet.zksync.io',
      'http://geth-0.geth.chains.svc.cluster.local:8545',
      'redis://redis-12345.c1.us-east-1-4.ec2.cloud.redislabs.com:12345',
      'http://127.0.0.1:8545',
      'http://[::1]:8545',
      'http://localhost:8545',
      'https://a1b2c3d4e5f6a7b8.com',
    ])
      expect(endpointLabel(plain, 0)).toBe(`${new URL(plain).host}#0`)
  })
})

describe('isKeyLike', () => {
  it.each([
    '0123456789abcdef0123456789abcdef', // Infura project id
    'aB3dEfGhIjKlMnOpQrStUvWxYz012345', // Alchemy
    '7c9e6679-7425-40de-944b-e07fc1f90ae7', // UUID
    'k3yabc12345',
    'QWErtyUIOpasDF',
    'abcdefghijklmnopqrstuvwxyz', // long, even without digits
  ])('%s is a key', (segment) => {
    expect(isKeyLike(segment)).toBe(true)
  })
  it.each(['rpc', 'v3', 'v2', 'eth', 'ext', 'bc', 'C', 'mainnet', 'base-sepolia', 'arbitrum-one', 'http'])(
    '%s is not a key',
    (segment) => {
      expect(isKeyLike(segment)).toBe(false)
    },
  )
})

describe('urlSecrets', () => {
  it('takes credentials, key-like path segments, query values and the fragment; not harmless segments', () => {
    expect(
      urlSecrets('https://alice:pa55word@rpc.example/v3/0123456789abcdef/rpc?apikey=QUERYSECRET&x=1#frag1'),
    ).toEqual(['alice', 'pa55word', '0123456789abcdef', 'QUERYSECRET', 'frag1'])
    expect(urlSecrets('wss://base-mainnet.g.alchemy.com/v2/aB3dEfGhIjKlMnOpQrStUvWxYz012345')).toEqual([
      'aB3dEfGhIjKlMnOpQrStUvWxYz012345',
    ])
    expect(urlSecrets('https://rpc.ankr.com/eth')).toEqual([])
    expect(urlSecrets('http://127.0.0.1:8545/rpc')).toEqual([])
  })
})

describe('createRedactor', () => {
  const url = 'https://user:pa55word@mainnet.infura.io/v3/0123456789abcdef?apikey=SECRETKEY'
  const redact = createRedactor({ urls: [url], secrets: ['api-key-XYZ-123'] })

  it('hides every spelling of the URL and its secret parts, alone, encoded, in any case', () => {
    const text = [
      `HTTP request failed. URL: ${url}`,
      'also https://mainnet.infura.io/v3/0123456789abcdef',
      'invalid project id 0123456789ABCDEF',
      'and SECRETKEY and pa55word',
      `encoded ${encodeURIComponent('api-key-XYZ-123')} and api-key-xyz-123`,
    ].join('\n')
    const out = redact(text)
    expect(out).not.toMatch(/0123456789abcdef|SECRETKEY|pa55word|api-key-xyz-123/i)
    expect(out).toContain('https://mainnet.infura.io/***')
    expect(out).toContain('invalid project id ***')
  })

  it("hides a key and a URL's user:password in base64, as a proxy echoes an Authorization header", () => {
    const r = createRedactor({ urls: ['https://alice:s3cretPW@rpc.example/v2/KEYabc123456'] })
    const basic = Buffer.from('alice:s3cretPW').toString('base64')
    const key64 = Buffer.from('KEYabc123456').toString('base64')
    const key64url = Buffer.from('KEYabc123456').toString('base64url')
    const out = r(`Authorization: Basic ${basic} / key ${key64} / url-safe ${key64url}`)
    expect(out).not.toContain(basic.replace(/=+$/, ''))
    expect(out).not.toContain(key64.replace(/=+$/, ''))
    expect(out).not.toContain(key64url)
    expect(out).toMatch(/^Authorization: Basic \*\*\*=* \/ key \*\*\*=* \/ url-safe \*\*\*$/)
  })

  it('leaves text without secrets alone, and harmless path segments too', () => {
    const plain = createRedactor({ urls: ['http://127.0.0.1:8545/rpc'] })
    expect(plain('timeout after 10s calling /rpc on 127.0.0.1:8545')).toBe(
      'timeout after 10s calling /rpc on 127.0.0.1:8545',
    )
  })
})

import { describe, expect, it } from 'vitest'
import { endpointLabel, redactUrl } from './redact.js'

describe('redactUrl', () => {
  it.each([
    ['https://mainnet.infura.io/v3/0123456789abcdef', 'https://mainnet.infura.io/***'],
    ['https://eth.llamarpc.com', 'https://eth.llamarpc.com'],
    ['https://rpc.example?apikey=SECRET', 'https://rpc.example/***'],
    ['https://user:SECRET@rpc.example', 'https://rpc.example/***'],
    ['http://127.0.0.1:8545', 'http://127.0.0.1:8545'],
    ['nonsense SECRET', '<unparseable url>'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected)
  })
  it('labels endpoints by host and position only', () => {
    expect(endpointLabel('https://eth-mainnet.g.alchemy.com/v2/KEY', 1)).toBe('eth-mainnet.g.alchemy.com#1')
  })
})

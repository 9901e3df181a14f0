import { describe, expect, it } from 'vitest'
import { withoutCredentials } from './basicAuth.js'

describe('withoutCredentials', () => {
  it('moves user:password from the URL to a Basic Authorization header, decoded first', () => {
    expect(withoutCredentials('https://alice:p%40ss@rpc.example/v2/x?k=1')).toEqual({
      url: 'https://rpc.example/v2/x?k=1',
      authorization: `Basic ${Buffer.from('alice:p@ss').toString('base64')}`,
    })
  })
  it('leaves a URL without credentials as it is', () => {
    expect(withoutCredentials('https://rpc.example/v2/x?email=a@b.c')).toEqual({
      url: 'https://rpc.example/v2/x?email=a@b.c',
      authorization: undefined,
    })
  })
})

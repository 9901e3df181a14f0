import { describe, expect, it } from 'vitest'
import { testContext } from '../core/testRequest.js'
import { apiKeyAuth, createApiKeys } from './apiKeys.js'

const key = 'a-key-of-at-least-16-chars'

describe('apiKeyAuth', () => {
  const setup = () => {
    const rejected: string[] = []
    const keys = createApiKeys([{ id: 'key#1', key, perSecond: 1, burst: 2 }])
    const step = apiKeyAuth({ keys, skip: (c) => c.path === '/healthz', onReject: (r) => rejected.push(r) })
    return { step, rejected }
  }
  it('does nothing without keys', () => {
    expect(apiKeyAuth({ keys: createApiKeys([]) })(testContext())).toBeUndefined()
  })
  it('answers 401 without a key or with an unknown one, and tells why', () => {
    const { step, rejected } = setup()
    expect(step(testContext())?.status).toBe(401)
    expect(step(testContext({ headers: { Authorization: 'Bearer not-the-key-at-all' } }))?.status).toBe(401)
    expect(rejected).toEqual(['missing', 'unknown'])
  })
  it('takes the key as a Bearer token or X-API-Key, names it by id, and limits it', () => {
    const { step } = setup()
    const bearer = testContext({ headers: { Authorization: `Bearer ${key}` } })
    expect(step(bearer)).toBeUndefined()
    expect(bearer.apiKeyId).toBe('key#1')
    expect(step(testContext({ headers: { 'X-API-Key': key } }))).toBeUndefined()
    expect(step(testContext({ headers: { 'X-API-Key': key } }))?.status).toBe(429)
  })
  it("refills the key's bucket on the request's clock", () => {
    const { step } = setup()
    const at = (now: number) => step(testContext({ headers: { 'X-API-Key': key }, now }))
    const t = 1_800_000_000_000
    expect(at(t)).toBeUndefined()
    expect(at(t)).toBeUndefined()
    expect(at(t + 500)?.status).toBe(429)
    // One per second: a second later, one more.
    expect(at(t + 1_000)).toBeUndefined()
    expect(at(t + 1_000)?.status).toBe(429)
  })
  it('lets skipped routes through without a key', () => {
    expect(setup().step(testContext({ target: '/healthz' }))).toBeUndefined()
  })
})

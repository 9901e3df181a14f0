import { describe, expect, it, vi } from 'vitest'
import { blockAnswer, type ClockedBody, clockedBody, maxAgeFor } from './blockAnswers.js'
import type { FeedEntry } from './predictionFeed.js'

/** Chain 1: 12 s blocks, fresh for 60 s. The block was made at t0 (s); the entry names its version. */
const t0 = 1_800_000_000
const entryOf = (version = '1-100-x'): FeedEntry =>
  ({
    prediction: { chainId: 1, timestamp: t0, createdAt: t0 * 1000 },
    version,
    receivedAt: t0 * 1000,
    memo: new Map(),
  }) as unknown as FeedEntry

const clocked = clockedBody('{"ageMs":@,"x":1}', '@')
const bodyOf = (answer: { body: Buffer | null }) => answer.body?.toString() ?? null
const header = (answer: { headers: readonly string[] }, name: string) =>
  answer.headers[answer.headers.indexOf(name) + 1]

describe('blockAnswer', () => {
  it('renders once per prediction and variant, however many requests', () => {
    const entry = entryOf()
    const render = vi.fn((): ClockedBody => clocked)
    const ask = (variant: string, now: number) =>
      blockAnswer({
        entry,
        variant,
        now,
        ifNoneMatch: undefined,
        render,
        fragment: (age) => String(age.ageMs),
      })
    for (let i = 0; i < 50; i++) ask('', t0 * 1000 + 100 + i)
    ask('c90', t0 * 1000 + 200)
    expect(render).toHaveBeenCalledTimes(2)
    // A new prediction (a new entry) renders again.
    blockAnswer({ entry: entryOf('1-101-y'), variant: '', now: t0 * 1000, ifNoneMatch: undefined, render })
    expect(render).toHaveBeenCalledTimes(3)
  })

  it('follows the clock in the clocked field, once per millisecond', () => {
    const entry = entryOf()
    const fragment = vi.fn((age: { ageMs: number }) => String(age.ageMs))
    const ask = (now: number) =>
      blockAnswer({ entry, variant: '', now, ifNoneMatch: undefined, render: () => clocked, fragment })
    const a = ask(t0 * 1000 + 1_500)
    const b = ask(t0 * 1000 + 1_500)
    const c = ask(t0 * 1000 + 1_501)
    expect(bodyOf(a)).toBe('{"ageMs":1500,"x":1}')
    expect(b).toBe(a)
    expect(bodyOf(c)).toBe('{"ageMs":1501,"x":1}')
    expect(c.contentLength).toBe(String(c.body?.length))
    expect(fragment).toHaveBeenCalledTimes(2)
  })

  it('answers 304 to its ETag, with Cache-Control counting down to the next block', () => {
    const entry = entryOf()
    const ask = (now: number, ifNoneMatch?: string) =>
      blockAnswer({ entry, variant: 'w3', now, ifNoneMatch, render: () => Buffer.from('{}') })
    const first = ask(t0 * 1000 + 2_000)
    const etag = header(first, 'ETag') as string
    expect(etag).toBe('W/"1-100-x.w3"')
    expect(header(first, 'Cache-Control')).toBe(`public, max-age=${maxAgeFor(2_000, 12)}`)
    expect(header(first, 'Cache-Control')).toBe('public, max-age=10')
    const revalidated = ask(t0 * 1000 + 7_000, etag)
    expect(revalidated.status).toBe(304)
    expect(revalidated.body).toBeNull()
    expect(header(revalidated, 'Cache-Control')).toBe('public, max-age=5')
    expect(ask(t0 * 1000 + 7_000, 'W/"something-else"').status).toBe(200)
  })

  it('says stale past the freshness bound: another ETag, no-cache, and the old ETag no longer matches', () => {
    const entry = entryOf()
    const ask = (now: number, ifNoneMatch?: string) =>
      blockAnswer({ entry, variant: '', now, ifNoneMatch, render: () => Buffer.from('{}') })
    const fresh = ask(t0 * 1000 + 1_000)
    const late = ask(t0 * 1000 + 61_000)
    expect(header(late, 'Cache-Control')).toBe('no-cache')
    expect(header(late, 'ETag')).toBe('W/"1-100-x.stale"')
    expect(ask(t0 * 1000 + 61_000, header(fresh, 'ETag')).status).toBe(200)
  })
})

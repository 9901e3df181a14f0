import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../lib/logger.js'
import { RpcEndpointError } from '../rpc/errors.js'
import type { HeadSubscriptionHandlers, WebSocketEndpoint } from '../rpc/webSocketEndpoint.js'
import { createHeadSubscription, type NotifiedHead } from './headSubscription.js'

/**
 * The subscription's state machine against in-memory endpoints (test doubles of WebSocketEndpoint: the
 * real sockets are exercised by test/sampler.websocket.test.ts and test/rpc-websocket.test.ts).
 */
function fakeEndpoint(label: string, answer: 'accept' | 'refuse' | 'fail') {
  let handlers: HeadSubscriptionHandlers | null = null
  const endpoint = {
    url: `ws://${label}`,
    label,
    /** What it answers eth_subscribe now (a test may change it). */
    answer,
    attempts: 0,
    /** Whether a subscription is open on it now. */
    get subscribed() {
      return handlers !== null
    },
    drops: [] as string[],
    head(number: number, hash = `0x${number.toString(16).padStart(64, '0')}`) {
      handlers?.onHead({ number: `0x${number.toString(16)}`, hash })
    },
    async request() {
      throw new Error('not used')
    },
    async subscribeNewHeads(h: HeadSubscriptionHandlers) {
      endpoint.attempts++
      if (endpoint.answer === 'refuse')
        throw new RpcEndpointError({
          endpoint: label,
          method: 'eth_subscribe',
          kind: 'rpc',
          problem: 'no',
          code: -32601,
        })
      if (endpoint.answer === 'fail')
        throw new RpcEndpointError({
          endpoint: label,
          method: 'eth_subscribe',
          kind: 'network',
          problem: 'refused',
        })
      handlers = h
      return () => {
        handlers = null
      }
    },
    drop(reason: string) {
      endpoint.drops.push(reason)
      const h = handlers
      handlers = null
      h?.onEnd(reason)
    },
    close() {},
  }
  return endpoint satisfies WebSocketEndpoint & Record<string, unknown>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits (up to 5 s) for a condition: a loaded machine runs the timers late, and no test asserts timings. */
async function until(condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5_000; !condition(); await sleep(5))
    if (Date.now() > deadline) throw new Error('timed out')
}

function subscribe(
  sockets: WebSocketEndpoint[],
  blockTimeMs = 1_000,
  now: () => number = Date.now,
  preferredRetryMs = 60_000,
  storedHead: () => number | null = () => null,
) {
  const heads: NotifiedHead[] = []
  const changes: { live: boolean; endpoint: string; reason: string }[] = []
  const subscription = createHeadSubscription({
    sockets,
    logger: createLogger('silent'),
    blockTimeMs,
    storedHead,
    timeoutMs: 1_000,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    preferredRetryMs,
    onHead: (head) => heads.push(head),
    onChange: (change) => changes.push(change),
    now,
  })
  subscription.start()
  return { subscription, heads, changes }
}

describe('createHeadSubscription', () => {
  it('goes live, passes valid heads on, and drops a socket that sends an invalid one, then comes back', async () => {
    const a = fakeEndpoint('a#0', 'accept')
    const { subscription, heads, changes } = subscribe([a])
    await until(() => subscription.live)
    a.head(7)
    a.head(8, '0xnothex')
    expect(heads.map((h) => h.number)).toEqual([7])
    expect(a.drops).toEqual(['an invalid head (bad hash)'])
    expect(subscription.live).toBe(false)
    await until(() => subscription.live)
    expect(changes.map((c) => c.live)).toEqual([true, false, true])
    subscription.stop()
  })

  it('counts a silent subscription as stalled after 3 block times measured from the heads (at least 2 of the profile)', async () => {
    const a = fakeEndpoint('a#0', 'accept')
    let clock = 0
    let stored = 0
    const { subscription, changes } = subscribe(
      [a],
      100,
      () => clock,
      60_000,
      () => stored,
    )
    await until(() => subscription.live)
    // Heads 400 ms apart (on the subscription's clock): the block time is measured, not the profile's 100 ms.
    for (let n = 1; n <= 4; n++) {
      a.head(n)
      stored = n
      clock += 400
    }
    // Late and reordered heads do not count as blocks.
    a.head(2)
    expect(subscription.stallAfterMs()).toBe(1_200)
    await until(() => a.drops.length > 0)
    expect(a.drops[0]).toMatch(/^no head within 1200 ms$/)
    expect(changes.find((c) => !c.live)?.reason).toBe('no head within 1200 ms')
    subscription.stop()
  })

  it('moves on to the next WebSocket endpoint when one fails, and leaves one that refuses subscriptions', async () => {
    const refusing = fakeEndpoint('r#0', 'refuse')
    const failing = fakeEndpoint('f#1', 'fail')
    const good = fakeEndpoint('g#2', 'accept')
    const { subscription, changes } = subscribe([refusing, failing, good])
    await until(() => subscription.live)
    expect(changes).toEqual([{ live: true, endpoint: 'g#2', reason: 'subscribed' }])
    expect([refusing.attempts, failing.attempts, good.attempts]).toEqual([1, 1, 1])
    subscription.stop()
    good.head(1)
    expect(subscription.live).toBe(false)
  })

  it('moves back to the first-choice endpoint once it accepts again, and follows only its heads then', async () => {
    const first = fakeEndpoint('first#0', 'fail')
    const fallback = fakeEndpoint('fallback#1', 'accept')
    const { subscription, heads, changes } = subscribe([first, fallback], 1_000, Date.now, 20)
    await until(() => subscription.live)
    expect(changes).toEqual([{ live: true, endpoint: 'fallback#1', reason: 'subscribed' }])
    fallback.head(1)
    await until(() => first.attempts >= 2) // tried again while live on the fallback, refused again
    expect(subscription.live).toBe(true)
    first.answer = 'accept'
    await until(() => changes.length === 3)
    expect(changes.slice(1)).toEqual([
      { live: false, endpoint: 'fallback#1', reason: 'the first-choice endpoint is back' },
      { live: true, endpoint: 'first#0', reason: 'subscribed' },
    ])
    expect(fallback.subscribed).toBe(false)
    expect(subscription.live).toBe(true)
    first.head(2)
    fallback.head(3) // a late message of the socket it left counts for nothing
    expect(heads.map((h) => h.number)).toEqual([1, 2])
    // On the first choice it probes nothing more.
    const attempts = first.attempts
    await sleep(100)
    expect(first.attempts).toBe(attempts)
    subscription.stop()
  })
})

/**
 * A hostile WebSocket endpoint's fake heads (H21 finding 2), on fake timers: the state machine's timers and
 * clock are all the test's, so a block time of 12 s costs nothing and no timing is asserted.
 */
describe('createHeadSubscription against fake heads', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  const randomHash = () =>
    `0x${Array.from({ length: 64 }, () => Math.floor(Math.random() * 16).toString(16)).join('')}`

  /** The sampler's side: it stores each honest head at once (what the subscription's storedHead reads). */
  function chain() {
    const state = { stored: 100 as number | null }
    return { state, storedHead: () => state.stored }
  }

  it('keeps an honest subscription live after another endpoint flooded fake heads, and still notices a real stall', async () => {
    vi.useFakeTimers()
    const blockTimeMs = 12_000
    const hostile = fakeEndpoint('hostile#0', 'accept')
    const honest = fakeEndpoint('honest#1', 'accept')
    const { state, storedHead } = chain()
    const { subscription } = subscribe([hostile, honest], blockTimeMs, Date.now, 3_600_000, storedHead)
    await vi.advanceTimersByTimeAsync(0)
    expect(subscription.live).toBe(true)
    hostile.head(100)
    await vi.advanceTimersByTimeAsync(blockTimeMs)
    hostile.head(101)
    state.stored = 101
    // The flood: head+0..999 with random hashes, all at once; then the hostile socket ends.
    for (let i = 0; i < 1_000; i++) hostile.head(101 + i, randomHash())
    hostile.drop('the socket closed')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(honest.subscribed).toBe(true)

    // An honest head every block time: the subscription stays live on it.
    for (let n = 102; n <= 116; n++) {
      await vi.advanceTimersByTimeAsync(blockTimeMs)
      honest.head(n)
      state.stored = n
      expect(honest.drops).toEqual([])
      expect(subscription.live).toBe(true)
    }
    expect(subscription.stallAfterMs()).toBeGreaterThanOrEqual(2 * blockTimeMs)
    // The flood ended the hostile socket rather than being processed.
    expect(hostile.drops[0]).toBe('a flood of heads (over 64 within one block time of 12000 ms)')

    // A real stall: no head for five block times.
    await vi.advanceTimersByTimeAsync(5 * blockTimeMs)
    expect(honest.drops).toEqual([`no head within ${subscription.stallAfterMs()} ms`])
    subscription.stop()
  })

  it('measures the block time again after a head numbered 0xffffffffffff, so an honest stream stays live', async () => {
    vi.useFakeTimers()
    // A chain slower than its profile (the devchain's 2 s, replaying at 12 s): its pace must be measured.
    const profileMs = 2_000
    const blockTimeMs = 12_000
    const a = fakeEndpoint('a#0', 'accept')
    const { state, storedHead } = chain()
    const { subscription } = subscribe([a], profileMs, Date.now, 3_600_000, storedHead)
    await vi.advanceTimersByTimeAsync(0)
    a.head(100)
    await vi.advanceTimersByTimeAsync(1)
    a.head(0xffffffffffff)
    // Until two block times are measured the profile's pace holds, and the subscription stalls and comes
    // back; from then on an honest head every block time keeps it live.
    for (let n = 101; n <= 120; n++) {
      await vi.advanceTimersByTimeAsync(blockTimeMs)
      a.head(n)
      state.stored = n
      expect(subscription.live).toBe(true)
    }
    // The two stalls before the pace was known (3 profile block times: 6 s), and none over 18 more blocks.
    expect(a.drops).toEqual(['no head within 6000 ms', 'no head within 6000 ms'])
    expect(subscription.stallAfterMs()).toBe(3 * blockTimeMs)
    // A real stall is still noticed.
    await vi.advanceTimersByTimeAsync(4 * blockTimeMs)
    expect(a.drops.at(-1)).toBe(`no head within ${3 * blockTimeMs} ms`)
    subscription.stop()
  })
})

import { describe, expect, it } from 'vitest'
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
) {
  const heads: NotifiedHead[] = []
  const changes: { live: boolean; endpoint: string; reason: string }[] = []
  const subscription = createHeadSubscription({
    sockets,
    logger: createLogger('silent'),
    blockTimeMs,
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

  it('counts a silent subscription as stalled after 3 block times measured from the heads (at least 1 s)', async () => {
    const a = fakeEndpoint('a#0', 'accept')
    let clock = 0
    const { subscription, changes } = subscribe([a], 60_000, () => clock)
    await until(() => subscription.live)
    // Heads 100 ms apart (on the subscription's clock): the block time is measured, not the chain's nominal 60 s.
    for (let n = 1; n <= 4; n++) {
      a.head(n)
      clock += 100
    }
    // Late and reordered heads do not count as blocks.
    a.head(2)
    expect(subscription.stallAfterMs()).toBe(1_000)
    await until(() => a.drops.length > 0)
    expect(a.drops[0]).toMatch(/^no head within 1000 ms$/)
    expect(changes.find((c) => !c.live)?.reason).toBe('no head within 1000 ms')
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

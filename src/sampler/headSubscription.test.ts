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
    attempts: 0,
    drops: [] as string[],
    head(number: number, hash = `0x${number.toString(16).padStart(64, '0')}`) {
      handlers?.onHead({ number: `0x${number.toString(16)}`, hash })
    },
    async request() {
      throw new Error('not used')
    },
    async subscribeNewHeads(h: HeadSubscriptionHandlers) {
      endpoint.attempts++
      if (answer === 'refuse')
        throw new RpcEndpointError({
          endpoint: label,
          method: 'eth_subscribe',
          kind: 'rpc',
          problem: 'no',
          code: -32601,
        })
      if (answer === 'fail')
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

function subscribe(sockets: WebSocketEndpoint[], blockTimeMs = 1_000, now: () => number = Date.now) {
  const heads: NotifiedHead[] = []
  const changes: { live: boolean; endpoint: string; reason: string }[] = []
  const subscription = createHeadSubscription({
    sockets,
    logger: createLogger('silent'),
    blockTimeMs,
    timeoutMs: 1_000,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
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
})

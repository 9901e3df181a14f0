import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBlockClock } from './blockClock.js'

/** A source of `count` blocks due `delayMs` apart, and what the clock produced. */
function chain(count = Number.POSITIVE_INFINITY, delayMs = 1_000) {
  const produced: number[] = []
  let ends = 0
  return {
    produced,
    ends: () => ends,
    source: { nextDelayMs: () => (produced.length < count ? delayMs : undefined) },
    produce: () => {
      if (produced.length >= count) {
        ends++
        return false
      }
      produced.push(Date.now())
      return true
    },
  }
}

describe('block clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('produces a block every block time, on time', () => {
    const c = chain()
    const clock = createBlockClock({ ...c, paused: false })
    vi.advanceTimersByTime(3_500)
    expect(c.produced).toEqual([1_700_000_001_000, 1_700_000_002_000, 1_700_000_003_000])
    clock.stop()
    vi.advanceTimersByTime(10_000)
    expect(c.produced).toHaveLength(3)
  })

  it('makes every block that is due at once when its timer fires late', () => {
    const c = chain()
    const clock = createBlockClock({ ...c, paused: false })
    // The event loop was busy: the first block's timer runs 4.5 s late (the clock jumps, then the
    // timer's own second passes), when five blocks are due.
    vi.setSystemTime(1_700_000_004_500)
    vi.advanceTimersToNextTimer()
    expect(c.produced).toEqual(Array(5).fill(1_700_000_005_500))
    // ... and the next is due on the original schedule, not a block time after the late one.
    vi.advanceTimersByTime(500)
    expect(c.produced).toHaveLength(6)
    clock.stop()
  })

  it('paused, makes blocks only through mine(); resumed, the next is a block time later', () => {
    const c = chain()
    const clock = createBlockClock({ ...c, paused: true })
    vi.advanceTimersByTime(5_000)
    expect(c.produced).toEqual([])
    expect(clock.isPaused()).toBe(true)
    clock.mine(3)
    expect(c.produced).toHaveLength(3)
    vi.advanceTimersByTime(5_000)
    expect(c.produced).toHaveLength(3)
    clock.resume()
    expect(clock.isPaused()).toBe(false)
    vi.advanceTimersByTime(999)
    expect(c.produced).toHaveLength(3)
    vi.advanceTimersByTime(1)
    expect(c.produced).toHaveLength(4)
    clock.pause()
    vi.advanceTimersByTime(5_000)
    expect(c.produced).toHaveLength(4)
    clock.stop()
  })

  it('stops at the end of its source, having produce() announce it', () => {
    const c = chain(2)
    const clock = createBlockClock({ ...c, paused: false })
    vi.advanceTimersByTime(10_000)
    expect(c.produced).toHaveLength(2)
    expect(c.ends()).toBe(1)
    // mine() past the end asks once more and stops.
    clock.mine(5)
    expect(c.produced).toHaveLength(2)
    clock.stop()
  })
})

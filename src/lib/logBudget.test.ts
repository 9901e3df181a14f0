import { describe, expect, it } from 'vitest'
import { createLogBudget } from './logBudget.js'

describe('createLogBudget', () => {
  it('allows its lines per window, counts the rest, and says how many at the next window', () => {
    const said: number[] = []
    const budget = createLogBudget({
      lines: 3,
      windowMs: 60_000,
      onSuppressed: (n) => said.push(n),
      later: () => undefined,
    })
    const taken = Array.from({ length: 10 }, (_, i) => budget.take(1_000 + i))
    expect(taken).toEqual([true, true, true, false, false, false, false, false, false, false])
    expect(said).toEqual([])
    expect(budget.take(61_000)).toBe(true)
    expect(said).toEqual([7])
    // A window within budget says nothing.
    budget.take(121_001)
    expect(said).toEqual([7])
  })

  it('says how many were left out when the window ends, with no line after it', () => {
    const said: number[] = []
    const timers: Array<{ flush: () => void; ms: number }> = []
    const budget = createLogBudget({
      lines: 2,
      windowMs: 60_000,
      onSuppressed: (n) => said.push(n),
      later: (flush, ms) => timers.push({ flush, ms }),
    })
    for (let i = 0; i < 5; i++) budget.take(10_000 + i)
    // One timer for the window, set to its end (the window opened at 10,000).
    expect(timers.map((t) => t.ms)).toEqual([60_000 - 2])
    expect(said).toEqual([])
    timers[0]?.flush()
    expect(said).toEqual([3])
    // The next window does not say it again.
    budget.take(70_000)
    expect(said).toEqual([3])
  })
})

import { describe, expect, it } from 'vitest'
import { createLogBudget } from './logBudget.js'

describe('createLogBudget', () => {
  it('allows its lines per window, counts the rest, and says how many at the next window', () => {
    const said: number[] = []
    const budget = createLogBudget({ lines: 3, windowMs: 60_000, onSuppressed: (n) => said.push(n) })
    const taken = Array.from({ length: 10 }, (_, i) => budget.take(1_000 + i))
    expect(taken).toEqual([true, true, true, false, false, false, false, false, false, false])
    expect(said).toEqual([])
    expect(budget.take(61_000)).toBe(true)
    expect(said).toEqual([7])
    // A window within budget says nothing.
    budget.take(121_001)
    expect(said).toEqual([7])
  })
})

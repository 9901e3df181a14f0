import { describe, expect, it } from 'vitest'
import { withTimeout } from './withTimeout.js'

describe('withTimeout', () => {
  it('passes a value or an error through when the promise settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000, () => new Error('late'))).resolves.toBe(7)
    await expect(
      withTimeout(Promise.reject(new Error('boom')), 1_000, () => new Error('late')),
    ).rejects.toThrow('boom')
  })

  it("rejects with the caller's error when the promise does not settle in time", async () => {
    class Late extends Error {}
    const never = new Promise<number>(() => {})
    await expect(withTimeout(never, 30, () => new Late('no answer'))).rejects.toBeInstanceOf(Late)
  })

  it('ignores a settlement after the timeout', async () => {
    let settle: (value: number) => void = () => {}
    const slow = new Promise<number>((resolve) => {
      settle = resolve
    })
    const guarded = withTimeout(slow, 10, () => new Error('late'))
    await expect(guarded).rejects.toThrow('late')
    settle(1)
    await expect(guarded).rejects.toThrow('late')
  })
})

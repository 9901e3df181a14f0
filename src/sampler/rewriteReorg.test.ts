import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { isBlockWalked } from './rewriteReorg.js'

const h = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`

describe('isBlockWalked', () => {
  const header = { number: 300n, hash: h(300), parentHash: h(299) }

  it('takes the block the walk checked', () => {
    expect(isBlockWalked({ ...header }, header)).toBe(true)
  })

  it('refuses the walked hash over another parent, another hash, another height, or no hash', () => {
    expect(isBlockWalked({ ...header, parentHash: h(1) }, header)).toBe(false)
    expect(isBlockWalked({ ...header, hash: h(1) }, header)).toBe(false)
    expect(isBlockWalked({ ...header, number: 301n }, header)).toBe(false)
    expect(isBlockWalked({ ...header, hash: null }, { ...header, hash: null })).toBe(false)
  })
})

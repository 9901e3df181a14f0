import type { Hex } from 'viem'
import { at } from '../lib/at.js'
import type { DevBlock } from './devBlock.js'

export type ChainStore = {
  /** Appends a block above the head (replays skip the numbers their file lacks). */
  add(block: DevBlock): void
  get(number: number): DevBlock | undefined
  getByHash(hash: Hex): DevBlock | undefined
  head(): DevBlock
  earliest(): DevBlock
  /** The highest block at or below `number` (tags like "safe" always name a block). */
  atOrBelow(number: number): DevBlock | undefined
}

export type CreateChainStoreParameters = {
  /** Blocks kept; older ones are dropped and read as null, as from a pruned node. */
  retain?: number
}

/** The devchain's blocks in memory, by number and by hash. */
export function createChainStore({
  retain = Number.POSITIVE_INFINITY,
}: CreateChainStoreParameters = {}): ChainStore {
  const byNumber = new Map<number, DevBlock>()
  const byHash = new Map<string, DevBlock>()
  /** Ascending numbers of the stored blocks. */
  const numbers: number[] = []
  let start = 0

  const empty = () => new Error('the devchain has no blocks yet')
  /** A block the index lists: the index and the map change together, so it is always there. */
  const stored = (number: number): DevBlock => {
    const block = byNumber.get(number)
    if (block === undefined) throw new Error(`the devchain's index lists block ${number}, which it lost`)
    return block
  }

  return {
    add(block) {
      const last = numbers[numbers.length - 1]
      if (last !== undefined && block.number <= last)
        throw new Error(`block ${block.number} does not extend the head ${last}`)
      byNumber.set(block.number, block)
      byHash.set(block.hash.toLowerCase(), block)
      numbers.push(block.number)
      while (numbers.length - start > retain) {
        const old = stored(at(numbers, start))
        byNumber.delete(old.number)
        byHash.delete(old.hash.toLowerCase())
        start++
      }
      // Compact the index now and then rather than shifting on every block.
      if (start > 4096 && start > numbers.length / 2) {
        numbers.splice(0, start)
        start = 0
      }
    },
    get: (number) => byNumber.get(number),
    getByHash: (hash) => byHash.get(hash.toLowerCase()),
    head() {
      const last = numbers[numbers.length - 1]
      if (last === undefined || start >= numbers.length) throw empty()
      return stored(last)
    },
    earliest() {
      if (start >= numbers.length) throw empty()
      return stored(at(numbers, start))
    },
    atOrBelow(number) {
      let lo = start
      let hi = numbers.length
      // First index whose number is > `number`.
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (at(numbers, mid) <= number) lo = mid + 1
        else hi = mid
      }
      return lo === start ? undefined : byNumber.get(at(numbers, lo - 1))
    },
  }
}

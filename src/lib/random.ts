/**
 * feecast's one seeded random source. Training, the devchain's simulated demand and replayed tips, and
 * the test load generators are reproducible for a given seed (Math.random cannot be seeded).
 */

/**
 * The generator (mulberry32): uniform in [0, 1). Its stream for a seed is what the shipped models were
 * trained with, so it does not change.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The distributions a simulation draws from, over one seeded generator. */
export type Random = {
  /** Uniform in [0, 1). */
  next(): number
  /** Integer in [0, n). */
  int(n: number): number
  /** True with probability p. */
  chance(p: number): boolean
  /** Standard normal (Box–Muller). */
  normal(): number
  /** Exponential with the given mean. */
  exponential(mean: number): number
  /** Pareto with scale 1 and tail index alpha (heavy-tailed for small alpha), capped to stay finite. */
  pareto(alpha: number, cap?: number): number
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed)
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    normal: () => {
      const u = 1 - next()
      const v = next()
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    },
    exponential: (mean) => -Math.log(1 - next()) * mean,
    pareto: (alpha, cap = 1e6) => Math.min(cap, (1 - next()) ** (-1 / alpha)),
  }
}

/**
 * Mixes several integers into one 32-bit seed (e.g. the chain's seed and a block number), so nearby
 * inputs give unrelated streams.
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5
  for (const part of parts) {
    // Numbers above 2^32 (block numbers are not, but be safe) contribute both halves.
    const lo = part >>> 0
    const hi = Math.floor(part / 2 ** 32) >>> 0
    for (const word of [lo, hi]) {
      h = Math.imul(h ^ word, 0x01000193) >>> 0
      h = (h ^ (h >>> 15)) >>> 0
      h = Math.imul(h, 0x2c1b3c6d) >>> 0
    }
  }
  return h >>> 0
}

/**
 * A small seeded random source (sfc32, seeded through splitmix32), so the devchain is reproducible:
 * the same seed gives the same blocks on every machine. Math.random cannot be seeded.
 */
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

function splitmix32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x9e3779b9) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** Mixes several integers into one 32-bit seed (e.g. the chain's seed and a block number). */
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

export function createRandom(seed: number): Random {
  const init = splitmix32(seed)
  let a = init()
  let b = init()
  let c = init()
  let d = init()
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t / 4294967296
  }
  for (let i = 0; i < 12; i++) next()
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

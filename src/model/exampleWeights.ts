import type { ExampleSet } from './examples.js'

/**
 * Each example's weight in the loss, so that a source's total weight grows as (its example count)^balance:
 * 1 weighs examples equally, 0 weighs sources (files) equally. In between keeps one long file from dictating
 * what a regime looks like.
 */
export function exampleWeights(set: ExampleSet, balance: number): Float32Array {
  const counts = new Map<number, number>()
  const sources = set.source.subarray(0, set.count)
  for (const source of sources) counts.set(source, (counts.get(source) ?? 0) + 1)
  // every source was counted just above, so the lookup always finds it
  return Float32Array.from(sources, (source) => (counts.get(source) ?? 1) ** (balance - 1))
}

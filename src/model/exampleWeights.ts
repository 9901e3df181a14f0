import type { ExampleSet } from './examples.js'

/**
 * Each example's weight in the loss, so that a source's total weight grows as (its example count)^balance:
 * 1 weighs examples equally, 0 weighs sources (files) equally. In between keeps one long file from dictating
 * what a regime looks like.
 */
export function exampleWeights(set: ExampleSet, balance: number): Float32Array {
  const counts = new Map<number, number>()
  for (let i = 0; i < set.count; i++) counts.set(set.source[i]!, (counts.get(set.source[i]!) ?? 0) + 1)
  const w = new Float32Array(set.count)
  for (let i = 0; i < set.count; i++) w[i] = counts.get(set.source[i]!)! ** (balance - 1)
  return w
}

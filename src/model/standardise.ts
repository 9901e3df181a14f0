import { at } from '../lib/at.js'
import type { ExampleSet } from './examples.js'

/** Each feature's training mean and standard deviation (scaling.json `featureMean` / `featureStd`). */
export type FeatureScaling = { mean: number[]; std: number[] }

/** The smallest standard deviation a feature is given: a constant feature must not divide by zero. */
export const minFeatureStd = 1e-3

/** Features per example, read from the set itself: the base-fee and blob-fee models share the trainer. */
export const featuresPerExample = (set: ExampleSet): number =>
  set.count > 0 ? set.features.length / set.count : 0

/** Feature means and standard deviations from the training set only (validation must not leak in). */
export function fitFeatureScaling(train: ExampleSet): FeatureScaling {
  const F = featuresPerExample(train)
  const mean = new Array<number>(F).fill(0)
  const std = new Array<number>(F).fill(0)
  const x = train.features
  for (let i = 0; i < train.count; i++) for (let j = 0; j < F; j++) mean[j] = at(mean, j) + at(x, i * F + j)
  for (let j = 0; j < F; j++) mean[j] = at(mean, j) / train.count
  for (let i = 0; i < train.count; i++)
    for (let j = 0; j < F; j++) std[j] = at(std, j) + (at(x, i * F + j) - at(mean, j)) ** 2
  for (let j = 0; j < F; j++) std[j] = Math.max(minFeatureStd, Math.sqrt(at(std, j) / train.count))
  return { mean, std }
}

/** A set's features as (x - mean) / std, row-major, ready for a tensor. */
export function standardise(set: ExampleSet, { mean, std }: FeatureScaling): Float32Array {
  const F = mean.length
  const x = new Float32Array(set.features.length)
  for (let i = 0; i < set.count; i++)
    for (let j = 0; j < F; j++) x[i * F + j] = (at(set.features, i * F + j) - at(mean, j)) / at(std, j)
  return x
}

import type { Features } from '../features/computeFeatures.js'
import { type BlobRegime, blobRegimes } from '../fees/blobRegime.js'
import { type BlobExampleSet, selectBlobExamples } from '../model/blobExamples.js'
import type { BlobFeeForecaster, CalibrationPriorOffsets } from '../model/blobForecaster.js'
import type { ModelMeta } from '../model/modelFiles.js'
import { calibrationPrior } from './calibrationPrior.js'

/**
 * Split-conformal starting offsets for each regime's calibration state, from held-out examples of that regime
 * (calibrationPrior, read in the examples' own units: each fork's largest rise). A regime with fewer than 500
 * examples gets none (its state starts at zero offsets).
 */
export function blobCalibrationPriors(
  forecaster: BlobFeeForecaster,
  validation: BlobExampleSet,
): Partial<Record<BlobRegime, CalibrationPriorOffsets>> {
  const unitForecaster = {
    version: forecaster.version,
    backend: forecaster.backend,
    layout: forecaster.layout,
    forecast: (features: Features) => forecaster.forecast(features.vector, 1),
  }
  const priors: Partial<Record<BlobRegime, CalibrationPriorOffsets>> = {}
  for (const regime of blobRegimes) {
    const examples = selectBlobExamples(validation, regime === 'priced')
    if (examples.count < 500) continue
    priors[regime] = calibrationPrior({
      forecaster: unitForecaster,
      examples,
      rule: { elasticity: 2, denominator: 8 }, // not read: maxStep is given
      maxStep: 1,
      // About the live capSlack (0.02 in log units) in step units.
      capSlack: 0.2,
    })
  }
  return priors
}

/** Fits the priors of a just-trained blob model and records them in its meta (scaling.json) and forecaster. */
export function withBlobCalibrationPriors<T extends { model: BlobFeeForecaster; meta: ModelMeta }>(
  fit: T & { examples: { validation: BlobExampleSet } },
): T {
  const priors = blobCalibrationPriors(fit.model, fit.examples.validation)
  fit.meta.calibrationPriors = priors
  fit.model.calibrationPriors = priors
  return fit
}

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../lib/logger.js'
import { defaultModelDir } from './defaultModel.js'
import type { BaseFeeForecaster } from './forecast.js'
import { loadFeeModel } from './loadFeeModel.js'
import { randomWalkForecaster } from './randomWalkForecaster.js'

export type LoadForecasterParameters = { dir?: string; logger: Logger }

export type LoadForecasterReturnType = {
  forecaster: BaseFeeForecaster
  trainedRange: { mean: number[]; std: number[] } | undefined
}

/**
 * The shipped model when its files are there and load, otherwise the random-walk fallback, which the
 * online calibration then keeps honest. Either way the service starts, and model.version says which.
 */
export async function loadForecaster({
  dir = defaultModelDir,
  logger,
}: LoadForecasterParameters): Promise<LoadForecasterReturnType> {
  if (existsSync(join(dir, 'model.json'))) {
    try {
      const model = await loadFeeModel({ dir })
      return { forecaster: model, trainedRange: { mean: model.meta.featureMean, std: model.meta.featureStd } }
    } catch (error) {
      logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'model failed to load: using the random-walk fallback',
      )
    }
  } else logger.warn({ dir }, 'no trained model found: using the random-walk fallback')
  return { forecaster: randomWalkForecaster(), trainedRange: undefined }
}

import { FeecastError } from '../errors.js'

/** A model directory that cannot be read or written as a feecast model. */
export class ModelFilesError extends FeecastError {
  override name = 'ModelFilesError'
  constructor(dir: string, problem: string, cause?: unknown) {
    super(`Model in ${dir}: ${problem}`, {
      details:
        'A model directory holds model.json, weights.bin and scaling.json, as written by `feecast train --out <dir>`.',
      cause,
    })
  }
}

/** Training data that cannot train a model (e.g. no example: every run shorter than the longest horizon). */
export class TrainingDataError extends FeecastError {
  override name = 'TrainingDataError'
}

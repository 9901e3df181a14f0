import { type BlobRegime, blobRegimes } from '../fees/blobRegime.js'
import type { CalibrationPriorOffsets } from '../model/blobForecaster.js'
import {
  type CalibrationState,
  type CreateCalibrationStateParameters,
  createCalibrationState,
  observeBlock,
} from './calibration.js'

/**
 * The online calibration of blob fees: adaptive conformal inference exactly as for base fees
 * (calibration.ts), in one state per regime, so that each regime's coverage holds on its own: floor-regime
 * decisions (often certain: the fee sits at 1 wei) cannot make up for misses among priced ones. Both states
 * see every block; each scores the estimates it recorded. Log blob fees are excess / update fraction
 * (no integer rounding): a threshold met there is met by the real fee, which rounding only lowers.
 */
export type BlobCalibrationState = { version: 1 } & Record<BlobRegime, CalibrationState>

export type CreateBlobCalibrationStateParameters = Omit<CreateCalibrationStateParameters, 'prior'> & {
  /** Starting offsets by regime (a blob model's scaling.json `calibrationPriors`). */
  priors?: Partial<Record<BlobRegime, CalibrationPriorOffsets>> | undefined
}

export function createBlobCalibrationState({
  priors,
  ...options
}: CreateBlobCalibrationStateParameters = {}): BlobCalibrationState {
  return {
    version: 1,
    priced: createCalibrationState({ ...options, prior: priors?.priced }),
    floor: createCalibrationState({ ...options, prior: priors?.floor }),
  }
}

export type ObserveBlobBlockParameters = {
  state: BlobCalibrationState
  block: number
  /** excess blob gas / update fraction of the block's fork. */
  logBlobFee: number
}

/** Feeds a mined block to both regimes' states (each scores its own pending estimates). */
export function observeBlobBlock({
  state,
  block,
  logBlobFee,
}: ObserveBlobBlockParameters): BlobCalibrationState {
  for (const regime of blobRegimes) observeBlock({ state: state[regime], block, logBaseFee: logBlobFee })
  return state
}

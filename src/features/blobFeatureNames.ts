/**
 * The blob model's inputs, in order. All scale-free: log blob-fee moves in units of the fork's largest
 * one-block rise, usage relative to the fork's target and max, shares and counts. No fee level and no blob
 * count enter, so a fork with other parameters (BPO2: 14 / 21 blobs) reads like the ones before it.
 * Changing this list changes the model: bump the version.
 */
export const blobFeatureVersion = 2

export const blobStepLags = 8
export const blobPressureLags = 4
export const blobMomentumSpans = [2, 4, 8, 16, 32, 64, 128, 256] as const
export const blobVolatilitySpans = [8, 32, 128] as const
export const blobPressureSpans = [4, 16, 64, 256] as const
export const blobShareSpans = [8, 32] as const

/** Blocks of history the blob features look at. */
export const blobFeatureLookback = 256

/** Up-steps above the 1-wei floor beyond which the floor no longer matters (the feature saturates). */
export const blobFloorHorizon = 32

export const blobFeatureNames: readonly string[] = [
  ...Array.from({ length: blobStepLags }, (_, j) => `step_lag${j}`),
  ...Array.from({ length: blobPressureLags }, (_, j) => `pressure_lag${j}`),
  ...blobMomentumSpans.map((s) => `momentum_${s}`),
  ...blobVolatilitySpans.map((s) => `volatility_${s}`),
  ...blobPressureSpans.map((s) => `pressure_${s}`),
  ...blobShareSpans.map((s) => `fullShare_${s}`),
  'emptyShare_32',
  ...blobShareSpans.map((s) => `aboveShare_${s}`),
  'streak_above',
  'streak_full',
  'streak_up',
  'streak_down',
  'fromMax_64',
  'fromMin_64',
  'fromMean_256',
  'floor_distance',
  'at_floor',
  'floorShare_64',
  'reserve_lag0',
  'reserveShare_8',
  'reserveShare_64',
  'target_share',
  'history_share',
  'history_log',
]

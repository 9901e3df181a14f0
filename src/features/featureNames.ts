/**
 * The model's inputs, in order. All are scale-free: log base-fee changes in units of the chain's largest
 * one-block step (log 1.125 on Ethereum), shares of the gas limit, counts. Nothing depends on the fee
 * level, which differs 20000x between eras. Changing this list changes the model: bump the version.
 */
export const featureVersion = 1

export const momentumSpans = [2, 4, 8, 16, 32, 64, 128, 256] as const
export const volatilitySpans = [8, 32, 128] as const
export const rangeSpans = [16, 64] as const
export const fullnessSpans = [4, 16, 64] as const
export const fullShareSpans = [8, 32] as const
export const lagCount = 8

/** Blocks of history the features look at (more is ignored; less is fine and shows in `history*`). */
export const featureLookback = 256

export const featureNames: readonly string[] = [
  ...Array.from({ length: lagCount }, (_, j) => `step_lag${j}`),
  ...momentumSpans.map((s) => `momentum_${s}`),
  ...volatilitySpans.map((s) => `volatility_${s}`),
  ...rangeSpans.map((s) => `range_${s}`),
  ...fullnessSpans.map((s) => `fullness_${s}`),
  ...fullShareSpans.map((s) => `fullShare_${s}`),
  'emptyShare_32',
  'streak_full',
  'streak_up',
  'streak_down',
  'fromMax_64',
  'fromMin_64',
  'fromMean_256',
  'history_share',
  'history_log',
]

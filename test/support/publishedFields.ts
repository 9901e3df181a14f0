/** Top-level fields of the compatible answers, as the two services publish them (sorted). */
export const blocknativeFields = [
  'blockPrices',
  'currentBlockNumber',
  'maxPrice',
  'msSinceLastBlock',
  'network',
  'system',
  'unit',
].sort()

export const metaMaskFields = [
  'baseFeeTrend',
  'estimatedBaseFee',
  'high',
  'historicalBaseFeeRange',
  'historicalPriorityFeeRange',
  'latestPriorityFeeRange',
  'low',
  'medium',
  'networkCongestion',
  'priorityFeeTrend',
].sort()

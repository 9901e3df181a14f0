/**
 * @feecast/client: a typed client for feecast's HTTP API, a drop-in `chain.fees.estimateFeesPerGas`
 * for viem, and the Prediction contract (types, confidence levels, horizons, contract version).
 */

export { type Backoff, type BackoffParameters, createBackoff } from './backoff.js'
export {
  type BaseFeeForecast,
  type Chain,
  type ChainsBody,
  type ConfidenceLevel,
  type Congestion,
  type CongestionLevel,
  confidenceLevels,
  contractHeader,
  contractVersion,
  defaultHorizons,
  type ErrorBody,
  type Estimate,
  type ForecastQuantile,
  forecastQuantiles,
  type Horizon,
  horizons,
  type Market,
  type ModelInfo,
  type Prediction,
  type Trend,
  type Trust,
  type TrustLabel,
  type WeiRange,
  type WeiString,
} from './contract.js'
export {
  type CreateFeecastClientParameters,
  createFeecastClient,
  type FeecastClient,
  type PredictErrorType,
  type PredictParameters,
  type PredictReturnType,
} from './createFeecastClient.js'
export {
  type FallbackReason,
  FeecastContractMismatchError,
  FeecastError,
  FeecastFallbackError,
  FeecastHttpError,
  FeecastResponseError,
  FeecastUnavailableError,
  FeecastUrlError,
} from './errors.js'
export {
  type FeecastBlobFeeOptions,
  type FeecastBlobFeeParameters,
  type FeecastBlobFeeReturnType,
  feecastBlobFee,
} from './feecastBlobFee.js'
export {
  createEstimateSource,
  type EstimateSource,
  type FeecastFeesParameters,
  type FeesForParameters,
  type FeesForReturnType,
  feecastFees,
  feesFor,
} from './feecastFees.js'

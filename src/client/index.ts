/**
 * feecast's client (`feecast/client`): a typed client for the HTTP API and a drop-in
 * `chain.fees.estimateFeesPerGas` for viem. No server code is imported from here.
 */

export type {
  BlocknativeBody,
  ChainsBody,
  ErrorBody,
  Estimate,
  MetaMaskBody,
  Prediction,
} from '../api/schemas.js'
export {
  type CreateFeecastClientParameters,
  createFeecastClient,
  type FeecastClient,
  FeecastHttpError,
  FeecastUnavailableError,
  type PredictParameters,
  type PredictReturnType,
} from './createFeecastClient.js'
export { type FeecastFeesParameters, feecastFees } from './feecastFees.js'

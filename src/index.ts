/**
 * The `feecast` package (the service). The client, its viem plug-ins and the Prediction contract are
 * the package @feecast/client, which this one depends on and re-exports.
 */

export * from '@feecast/client'
export {
  createPredictionFeed,
  type PredictionFeed,
  type PredictionFeedParameters,
} from './api/predictionFeed.js'
export { PredictionSchema, type StoredPrediction, StoredPredictionSchema } from './api/schemas.js'
export {
  type CreateApiServerParameters,
  type CreateApiServerReturnType,
  createApiServer,
} from './api/server.js'
export { chainsKey, legacyPredictionChannel, legacyPredictionKey, storeKeys } from './store/keys.js'

/**
 * The `feecast` package. Client side: `feecast/client` has the same client without the server code.
 * Server side: the API server and the shapes and Redis keys the predictor shares with it.
 */

export {
  createPredictionFeed,
  type PredictionFeed,
  type PredictionFeedParameters,
} from './api/predictionFeed.js'
export { chainsKey, predictionChannel, predictionKey } from './api/predictionKeys.js'
export {
  baseFeeQuantiles,
  confidenceLevels,
  horizons,
  PredictionSchema,
  type StoredPrediction,
  StoredPredictionSchema,
} from './api/schemas.js'
export {
  type CreateApiServerParameters,
  type CreateApiServerReturnType,
  createApiServer,
} from './api/server.js'
export * from './client/index.js'

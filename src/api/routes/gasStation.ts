import type { RouteDefinition } from '../core/route.js'
import type { PredictionFeed } from '../predictionFeed.js'
import { GasStationParamsSchema, GasStationSchema } from '../schemas.js'
import { toGasStation } from '../shapes.js'
import { errorResponse, jsonResponse, notModifiedResponse } from './openApiParts.js'
import { walletShapeHandler } from './walletShapeHandler.js'

/** GET /gasstation/:chainId: the Polygon gas station v2 shape, for ethers v6 (README "HTTP API"). */
export function gasStationRoute({ feed }: { feed: PredictionFeed }): RouteDefinition {
  return {
    openapi: {
      method: 'get',
      path: '/gasstation/{chainId}',
      summary:
        "Polygon-gas-station-v2-compatible fees, for ethers v6's FetchUrlFeeDataNetworkPlugin (README)",
      request: { params: GasStationParamsSchema },
      responses: {
        200: jsonResponse(GasStationSchema, 'safeLow/standard/fast maxPriorityFee and maxFee, gwei numbers'),
        304: notModifiedResponse,
        400: errorResponse('A bad parameter'),
        404: errorResponse('A chain this service does not serve'),
        503: errorResponse('No prediction, or stale data (Retry-After)'),
      },
    },
    handler: walletShapeHandler({ feed, params: GasStationParamsSchema, variant: 'gs', shape: toGasStation }),
  }
}

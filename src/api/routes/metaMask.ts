import type { RouteDefinition } from '../core/route.js'
import type { PredictionFeed } from '../predictionFeed.js'
import { MetaMaskParamsSchema, MetaMaskSchema } from '../schemas.js'
import { toMetaMask } from '../shapes.js'
import { errorResponse, jsonResponse, notModifiedResponse } from './openApiParts.js'
import { walletShapeHandler } from './walletShapeHandler.js'

/** GET /networks/:chainId/suggestedGasFees: MetaMask's shape (README "HTTP API" has the mapping). */
export function metaMaskRoute({ feed }: { feed: PredictionFeed }): RouteDefinition {
  return {
    openapi: {
      method: 'get',
      path: '/networks/{chainId}/suggestedGasFees',
      summary: "MetaMask-compatible suggested gas fees (see README's HTTP API for the mapping)",
      request: { params: MetaMaskParamsSchema },
      responses: {
        200: jsonResponse(MetaMaskSchema, 'low/medium/high suggestions, gwei strings'),
        304: notModifiedResponse,
        400: errorResponse('A bad parameter'),
        404: errorResponse('A chain this service does not serve'),
        503: errorResponse('No prediction, or stale data (Retry-After)'),
      },
    },
    handler: walletShapeHandler({ feed, params: MetaMaskParamsSchema, variant: 'mm', shape: toMetaMask }),
  }
}

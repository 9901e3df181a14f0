import type { Answer } from '../core/answer.js'
import type { RouteDefinition } from '../core/route.js'
import { type PredictRequest, predictAnswer, resolvePredictQuery } from '../predictAnswer.js'
import type { PredictionFeed } from '../predictionFeed.js'
import { parseQuery } from '../query.js'
import { PredictionSchema, PredictQuerySchema } from '../schemas.js'
import { badParameter, isEntry, lookupChain } from './chainLookup.js'
import { errorResponse, jsonResponse, notModifiedResponse } from './openApiParts.js'

/** Distinct query strings remembered (resolved); past this the memory is cleared and refilled. */
const maxRememberedQueries = 1024

/**
 * GET /predict: the chain's latest Prediction, filtered by confidence and horizon. Wallets poll it: a
 * known query is one map lookup, and the answer's bytes are the block's (predictAnswer).
 */
export function predictRoute({ feed }: { feed: PredictionFeed }): RouteDefinition {
  const requests = new Map<string, PredictRequest>()
  const resolve = (target: string): PredictRequest | { parameter: string; didYouMean?: string } => {
    const known = requests.get(target)
    if (known !== undefined) return known
    const resolved = resolvePredictQuery(parseQuery(target))
    if (!resolved.ok) return resolved
    if (requests.size >= maxRememberedQueries) requests.clear()
    requests.set(target, resolved.request)
    return resolved.request
  }
  return {
    openapi: {
      method: 'get',
      path: '/predict',
      summary: 'Fees for inclusion within N blocks with probability p',
      request: { query: PredictQuerySchema },
      responses: {
        200: jsonResponse(
          PredictionSchema,
          'The latest prediction; `stale: true` when its data is past the freshness bound',
        ),
        304: notModifiedResponse,
        400: errorResponse('A bad parameter: the error names it and its accepted values'),
        404: errorResponse('A chain this service does not serve'),
        503: errorResponse('No prediction for this chain yet (Retry-After)'),
      },
    },
    handler(c): Answer {
      const request = resolve(c.target)
      if ('parameter' in request) return badParameter(c, feed, request.parameter, request.didYouMean)
      const entry = lookupChain(c, feed, request.chainId, 'chainId')
      if (!isEntry(entry)) return entry
      return predictAnswer(entry, request, c.now, c.headers.ifNoneMatch)
    },
  }
}

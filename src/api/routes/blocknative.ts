import { chainProfile } from '../../chains/chains.js'
import { blockAnswer, clockedBody, oncePerBlock } from '../blockAnswers.js'
import { isAnswer } from '../core/answer.js'
import type { RouteDefinition } from '../core/route.js'
import type { PredictionFeed } from '../predictionFeed.js'
import { parseQuery } from '../query.js'
import { BlocknativeQuerySchema, BlocknativeSchema } from '../schemas.js'
import { dataAge, toBlocknative } from '../shapes.js'
import { createValidator, incompleteAnswer, isEntry, lookupChain, staleAnswer } from './chainLookup.js'
import { errorResponse, jsonResponse, notModifiedResponse } from './openApiParts.js'

/** A placeholder for msSinceLastBlock while the body is made (the one number that follows the clock). */
const clockMarker = 987_654_321_987_654

/** GET /gasprices/blockprices: Blocknative's shape (README "HTTP API" has the mapping). */
export function blocknativeRoute({ feed }: { feed: PredictionFeed }): RouteDefinition {
  const validateQuery = createValidator(BlocknativeQuerySchema)
  return {
    openapi: {
      method: 'get',
      path: '/gasprices/blockprices',
      summary: "Blocknative-compatible block prices (see README's HTTP API for the mapping)",
      request: { query: BlocknativeQuerySchema },
      responses: {
        200: jsonResponse(BlocknativeSchema, 'Next-block prices for confidence 99/95/90/80/70, gwei'),
        304: notModifiedResponse,
        400: errorResponse('A bad parameter'),
        404: errorResponse('A chain this service does not serve'),
        503: errorResponse('No prediction, or stale data (Retry-After)'),
      },
    },
    handler(c) {
      const query = validateQuery(c, feed, c.target, () => parseQuery(c.target))
      if (isAnswer(query)) return query
      const chainId = Number(query.chainid ?? 1)
      const entry = lookupChain(c, feed, chainId, 'chainid')
      if (!isEntry(entry)) return entry
      const age = dataAge(entry.prediction, c.now, chainProfile(chainId).freshnessSeconds)
      if (age.stale) return staleAnswer(c, chainId, age.ageMs)
      // msSinceLastBlock follows the clock: made with a placeholder, filled in per millisecond.
      const shaped = oncePerBlock(entry, 'bn', () =>
        toBlocknative(entry.prediction, { now: entry.prediction.timestamp * 1000 + clockMarker }),
      )
      if (shaped === null) return incompleteAnswer(c, chainId)
      return blockAnswer({
        entry,
        variant: 'bn',
        now: c.now,
        ifNoneMatch: c.headers.ifNoneMatch,
        age,
        render: () => clockedBody(JSON.stringify(shaped), String(clockMarker)),
        // Since the head block's time (not the data's age, which also counts from when it was predicted).
        fragment: (_age, now) => String(Math.max(0, Math.round(now - entry.prediction.timestamp * 1000))),
      })
    },
  }
}

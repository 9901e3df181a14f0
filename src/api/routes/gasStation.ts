import { chainProfile } from '../../chains/chains.js'
import { blockAnswer, oncePerBlock } from '../blockAnswers.js'
import { isAnswer } from '../core/answer.js'
import type { RouteDefinition } from '../core/route.js'
import type { PredictionFeed } from '../predictionFeed.js'
import { GasStationParamsSchema, GasStationSchema } from '../schemas.js'
import { dataAge, toGasStation } from '../shapes.js'
import { createValidator, incompleteAnswer, isEntry, lookupChain, staleAnswer } from './chainLookup.js'
import { errorResponse, jsonResponse, notModifiedResponse } from './openApiParts.js'

/** GET /gasstation/:chainId: the Polygon gas station v2 shape, for ethers v6 (README "HTTP API"). */
export function gasStationRoute({ feed }: { feed: PredictionFeed }): RouteDefinition {
  const validateParams = createValidator(GasStationParamsSchema)
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
    handler(c) {
      const chainParam = c.params.chainId ?? ''
      const params = validateParams(c, feed, chainParam, () => ({ chainId: chainParam }))
      if (isAnswer(params)) return params
      const chainId = Number(params.chainId)
      const entry = lookupChain(c, feed, chainId, 'chainId')
      if (!isEntry(entry)) return entry
      const profile = chainProfile(chainId)
      const age = dataAge(entry.prediction, c.now, profile.freshnessSeconds)
      if (age.stale) return staleAnswer(c, chainId, age.ageMs)
      const shaped = oncePerBlock(entry, 'gs', () =>
        toGasStation(entry.prediction, {
          blockTimeSeconds: profile.blockTimeSeconds,
          ignoresTips: profile.ignoresTips,
        }),
      )
      if (shaped === null) return incompleteAnswer(c, chainId)
      return blockAnswer({
        entry,
        variant: 'gs',
        now: c.now,
        ifNoneMatch: c.headers.ifNoneMatch,
        render: () => Buffer.from(JSON.stringify(shaped)),
      }).answer
    },
  }
}

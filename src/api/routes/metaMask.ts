import { chainProfile } from '../../chains/chains.js'
import { blockAnswer, oncePerBlock } from '../blockAnswers.js'
import { isAnswer } from '../core/answer.js'
import type { RouteDefinition } from '../core/route.js'
import type { PredictionFeed } from '../predictionFeed.js'
import { MetaMaskParamsSchema, MetaMaskSchema } from '../schemas.js'
import { dataAge, toMetaMask } from '../shapes.js'
import { createValidator, incompleteAnswer, isEntry, lookupChain, staleAnswer } from './chainLookup.js'
import { errorResponse, jsonResponse, notModifiedResponse } from './openApiParts.js'

/** GET /networks/:chainId/suggestedGasFees: MetaMask's shape (README "HTTP API" has the mapping). */
export function metaMaskRoute({ feed }: { feed: PredictionFeed }): RouteDefinition {
  const validateParams = createValidator(MetaMaskParamsSchema)
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
      const shaped = oncePerBlock(entry, 'mm', () =>
        toMetaMask(entry.prediction, {
          blockTimeSeconds: profile.blockTimeSeconds,
          ignoresTips: profile.ignoresTips,
        }),
      )
      if (shaped === null) return incompleteAnswer(c, chainId)
      return blockAnswer({
        entry,
        variant: 'mm',
        now: c.now,
        ifNoneMatch: c.headers.ifNoneMatch,
        render: () => Buffer.from(JSON.stringify(shaped)),
      }).answer
    },
  }
}

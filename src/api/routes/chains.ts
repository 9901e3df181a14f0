import type { ChainsBody } from '@feecast/client'
import { chainProfile } from '../../chains/chains.js'
import { json } from '../core/answer.js'
import type { RouteDefinition } from '../core/route.js'
import type { PredictionFeed } from '../predictionFeed.js'
import { ChainsSchema } from '../schemas.js'
import { dataAge } from '../shapes.js'
import { jsonResponse } from './openApiParts.js'

/** GET /chains: every served chain, its head, data age, model and trust label. */
export function chainsRoute({ feed }: { feed: PredictionFeed }): RouteDefinition {
  return {
    openapi: {
      method: 'get',
      path: '/chains',
      summary: 'Configured chains, their head, data age and model',
      responses: { 200: jsonResponse(ChainsSchema, 'The chains') },
    },
    handler(c) {
      const chains: ChainsBody['chains'] = feed.chainIds().map((chainId) => {
        const profile = chainProfile(chainId)
        const p = feed.get(chainId)?.prediction
        const age = p ? dataAge(p, c.now, profile.freshnessSeconds) : null
        return {
          chainId,
          name: profile.name,
          blockNumber: p?.blockNumber ?? null,
          timestamp: p?.timestamp ?? null,
          ageMs: age?.ageMs ?? null,
          stale: age?.stale ?? true,
          freshnessSeconds: profile.freshnessSeconds,
          model: p?.model ?? null,
          trust: p?.trust.label ?? null,
        }
      })
      return json(200, { chains }, ['Cache-Control', 'no-cache'])
    },
  }
}

import { chainProfile } from '../../chains/chains.js'
import { at } from '../../lib/at.js'
import { json } from '../core/answer.js'
import type { RouteDefinition } from '../core/route.js'
import type { PredictionFeed } from '../predictionFeed.js'
import { HealthSchema, type ReadyBody, ReadySchema } from '../schemas.js'
import { dataAge } from '../shapes.js'
import { jsonResponse } from './openApiParts.js'

/** GET /healthz: liveness, the process answers. Not rate limited. */
export function healthRoute({ startedAt }: { startedAt: number }): RouteDefinition {
  return {
    openapi: {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      responses: { 200: jsonResponse(HealthSchema, 'Alive') },
    },
    limited: false,
    handler: (c) =>
      json(200, { status: 'ok', uptimeSeconds: Math.round((c.now - startedAt) / 1000) }, [
        'Cache-Control',
        'no-store',
      ]),
  }
}

/**
 * GET /readyz: ready when Redis is reachable and at least one chain has fresh data (so a model ran);
 * 503 with the reasons otherwise, and while shutting down. Not rate limited.
 */
export function readyRoute({
  feed,
  isDraining,
  redact,
}: {
  feed: PredictionFeed
  isDraining: () => boolean
  /** Hides configured secrets in the sampler's reasons (they may quote an endpoint's error text). */
  redact: (text: string) => string
}): RouteDefinition {
  return {
    openapi: {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: Redis reachable and fresh predictions (a model ran)',
      responses: {
        200: jsonResponse(ReadySchema, 'Ready'),
        503: jsonResponse(ReadySchema, 'Not ready: the reasons say why'),
      },
    },
    limited: false,
    handler(c) {
      const status = feed.status()
      const reasons: string[] = []
      if (isDraining()) reasons.push('shutting down')
      if (!status.redisUp) reasons.push('redis unreachable')
      const chains: ReadyBody['chains'] = feed.chainIds().map((chainId) => {
        const p = feed.get(chainId)?.prediction
        const age = p ? dataAge(p, c.now, chainProfile(chainId).freshnessSeconds) : null
        return { chainId, fresh: age !== null && !age.stale, ageMs: age?.ageMs ?? null }
      })
      if (!status.synced) reasons.push('not synced with redis yet')
      else if (chains.length === 0) reasons.push('no chain configured')
      else if (!chains.some((ch) => ch.fresh))
        reasons.push(
          ...staleReasons(chains).map((reason, i) => reason + whyStale(feed, at(chains, i), c.now, redact)),
        )
      const body: ReadyBody = {
        ready: reasons.length === 0,
        reasons,
        redis: status.redisUp ? 'up' : 'down',
        chains,
      }
      return json(body.ready ? 200 : 503, body, ['Cache-Control', 'no-store'])
    },
  }
}

const staleReasons = (chains: ReadyBody['chains']) =>
  chains.map((ch) =>
    ch.ageMs === null
      ? `chain ${ch.chainId}: no prediction yet`
      : `chain ${ch.chainId}: data ${Math.round(ch.ageMs / 1000)} s old, past ${chainProfile(ch.chainId).freshnessSeconds} s`,
  )

/**
 * What the chain's sampler says is wrong (blocks it refuses, a failure that lasts: its node unreachable),
 * to follow a stale chain's reason; with nothing said, a chain without a prediction waits for its model.
 */
function whyStale(
  feed: PredictionFeed,
  chain: ReadyBody['chains'][number],
  now: number,
  redact: (text: string) => string,
): string {
  const health = feed.health(chain.chainId)
  const seconds = (since: number) => Math.round((now - since) / 1000)
  const said: string[] = []
  if (health?.rejecting)
    said.push(
      `blocks refused for ${seconds(health.rejecting.since)} s (${health.rejecting.attempts} attempt(s)): ${health.rejecting.problem}`,
    )
  if (health?.failing)
    said.push(`sampling failing for ${seconds(health.failing.since)} s: ${health.failing.problem}`)
  if (said.length === 0) return chain.ageMs === null ? ' (model not loaded or not run)' : ''
  return redact(`: ${said.join('; ')}`)
}

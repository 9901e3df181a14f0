import { confidenceLevels, horizons } from '@feecast/client'
import { chainProfile } from '../../chains/chains.js'
import { type Answer, isAnswer } from '../core/answer.js'
import type { Context } from '../core/context.js'
import { errorAnswer } from '../httpErrors.js'
import type { FeedEntry, PredictionFeed } from '../predictionFeed.js'
import { parseQuery } from '../query.js'
import type { z } from '../zod.js'

/**
 * What the chain routes share: the 400 that names a bad parameter and its accepted values, the chain's
 * entry or its 404/503, and the 503s of the compatible shapes (which have no field to say "stale").
 */

const isChainParameter = (parameter: string) => parameter === 'chainId' || parameter === 'chainid'

/** 400 naming the parameter, what is wrong with it, and the values it accepts where they are a list. */
export function badParameter(
  c: Context,
  feed: PredictionFeed,
  parameter: string,
  /** The parameter meant, when `parameter` is its name in another case. */
  didYouMean?: string,
): Answer {
  const accepted: readonly number[] | undefined = isChainParameter(parameter)
    ? feed.chainIds()
    : parameter === 'confidence'
      ? confidenceLevels
      : parameter === 'withinBlocks'
        ? horizons
        : undefined
  const given = c.params[parameter] ?? parseQuery(c.target)[parameter]
  const message =
    didYouMean === undefined
      ? parameterProblem(parameter, given, accepted)
      : `${parameter} is not a parameter here: did you mean ${didYouMean}?`
  return errorAnswer(c, 400, 'bad_parameter', message, {
    parameter,
    ...(accepted ? { accepted } : {}),
  })
}

/** What is wrong with a parameter as given: missing, repeated, not a number, not an accepted value. */
export function parameterProblem(
  parameter: string,
  given: string | string[] | undefined,
  accepted: readonly number[] | undefined,
): string {
  const served = accepted && accepted.length > 0 ? accepted.join(', ') : undefined
  const chain = isChainParameter(parameter)
  const expects = chain
    ? `a positive integer chain id${served ? `; served here: ${served}` : ''}`
    : `a comma-separated list of ${served ?? 'accepted values'}`
  if (given === undefined) return `${parameter} is missing: give ${expects}`
  if (Array.isArray(given)) return `${parameter} is given ${given.length} times: give it once, as ${expects}`
  const shown = JSON.stringify(given.slice(0, 40))
  if (chain && /^[0-9]+$/.test(given) && Number(given) > Number.MAX_SAFE_INTEGER)
    return `${parameter} ${shown} is above ${Number.MAX_SAFE_INTEGER}, the largest chain id`
  if (chain) return `${parameter} ${shown} is not ${expects}`
  const entries = given.split(',')
  const notNumber = entries.find((e) => !/^[0-9]{1,4}$/.test(e.trim()))
  if (notNumber !== undefined) return `${parameter} ${shown} is not ${expects}`
  const unknown = entries.find((e) => !accepted?.includes(Number(e)))
  if (unknown !== undefined) return `${parameter} ${unknown.trim()} is not one of ${served}`
  return `${parameter} ${shown} is not valid: give ${expects}`
}

/** The values, validated by `schema` (synchronously), or the 400 naming the first bad parameter. */
export function validate<T extends z.ZodType>(
  c: Context,
  feed: PredictionFeed,
  schema: T,
  values: Record<string, string | string[]>,
): z.output<T> | Answer {
  const result = schema.safeParse(values)
  if (result.success) return result.data as z.output<T>
  return badParameter(c, feed, String(result.error.issues[0]?.path[0] ?? 'query'))
}

/**
 * `validate`, remembering successful results by the raw input they came from (a path parameter, the
 * query string): zod parses each distinct input once, not every request (a parse cost more than the rest
 * of a compatible route's answer). Up to `maxRemembered` inputs; past that the memory starts over.
 */
export function createValidator<T extends z.ZodType>(schema: T, maxRemembered = 1024) {
  const known = new Map<string, z.output<T>>()
  return (
    c: Context,
    feed: PredictionFeed,
    raw: string,
    values: () => Record<string, string | string[]>,
  ): z.output<T> | Answer => {
    const remembered = known.get(raw)
    if (remembered !== undefined) return remembered
    const result = validate(c, feed, schema, values())
    if (!isAnswer(result)) {
      if (known.size >= maxRemembered) known.clear()
      known.set(raw, result)
    }
    return result
  }
}

const retryAfter = (chainId: number) => String(Math.max(1, Math.ceil(chainProfile(chainId).blockTimeSeconds)))

/** The entry of a served chain, or its answer: 404 (not served), 503 (no prediction yet, Redis not reached). */
export function lookupChain(
  c: Context,
  feed: PredictionFeed,
  chainId: number,
  parameter: string,
): FeedEntry | Answer {
  if (!feed.isKnownChain(chainId)) {
    if (!feed.status().synced)
      return errorAnswer(c, 503, 'not_ready', 'The list of chains is not known yet (Redis not reached)', {}, [
        'Retry-After',
        '1',
      ])
    return errorAnswer(c, 404, 'unknown_chain', `Chain ${chainId} is not served here`, {
      parameter,
      accepted: feed.chainIds(),
    })
  }
  const entry = feed.get(chainId)
  if (entry === undefined)
    return errorAnswer(
      c,
      503,
      'no_prediction',
      `No prediction for chain ${chainId} yet (GET /readyz says why)`,
      {},
      ['Retry-After', retryAfter(chainId)],
    )
  c.servedFrom = entry
  return entry
}

export const isEntry = (x: FeedEntry | Answer): x is FeedEntry => 'prediction' in x

/** Compatible shapes have no field to say "stale": they answer 503, so wallets use their fallback. */
export function staleAnswer(c: Context, chainId: number, ageMs: number): Answer {
  return errorAnswer(
    c,
    503,
    'stale_data',
    `The data of chain ${chainId} is ${Math.round(ageMs / 1000)} s old, past its freshness bound of ` +
      `${chainProfile(chainId).freshnessSeconds} s; GET /predict shows it with stale: true`,
    {},
    ['Retry-After', retryAfter(chainId)],
  )
}

/** The prediction lacks an estimate the shape needs. */
export function incompleteAnswer(c: Context, chainId: number): Answer {
  return errorAnswer(
    c,
    503,
    'no_prediction',
    `The prediction of chain ${chainId} lacks the estimates this shape needs`,
    {},
    ['Retry-After', retryAfter(chainId)],
  )
}

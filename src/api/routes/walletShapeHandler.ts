import { chainProfile } from '../../chains/chains.js'
import { blockAnswer, oncePerBlock } from '../blockAnswers.js'
import { isAnswer } from '../core/answer.js'
import type { Handler } from '../core/pipeline.js'
import type { PredictionFeed } from '../predictionFeed.js'
import type { StoredPrediction } from '../schemas.js'
import { dataAge, type WalletShapeParameters } from '../shapes.js'
import type { z } from '../zod.js'
import { createValidator, incompleteAnswer, isEntry, lookupChain, staleAnswer } from './chainLookup.js'

export type WalletShapeHandlerParameters<Body> = {
  feed: PredictionFeed
  /** The path parameters' schema ({ chainId }). */
  params: z.ZodType<{ chainId: string }>
  /** Names the shape among the prediction's answers (ETag suffix, memo key). */
  variant: string
  /** The prediction in the wallet's shape, or null when it lacks a tier (answered 503). */
  shape: (stored: StoredPrediction, parameters: WalletShapeParameters) => Body | null
}

/**
 * The handler of a wallet-shaped route keyed by a path chain id (MetaMask's, the Polygon gas station's):
 * the chain's entry, 503 when stale (these shapes have no field to say so) or incomplete, else the shape
 * made once per block with its ETag.
 */
export function walletShapeHandler<Body>({
  feed,
  params,
  variant,
  shape,
}: WalletShapeHandlerParameters<Body>): Handler {
  const validateParams = createValidator(params)
  return (c) => {
    const chainParam = c.params.chainId ?? ''
    const valid = validateParams(c, feed, chainParam, () => ({ chainId: chainParam }))
    if (isAnswer(valid)) return valid
    const chainId = Number(valid.chainId)
    const entry = lookupChain(c, feed, chainId, 'chainId')
    if (!isEntry(entry)) return entry
    const profile = chainProfile(chainId)
    const age = dataAge(entry.prediction, c.now, profile.freshnessSeconds)
    if (age.stale) return staleAnswer(c, chainId, age.ageMs)
    const shaped = oncePerBlock(entry, variant, () =>
      shape(entry.prediction, {
        blockTimeSeconds: profile.blockTimeSeconds,
        ignoresTips: profile.ignoresTips,
      }),
    )
    if (shaped === null) return incompleteAnswer(c, chainId)
    return blockAnswer({
      entry,
      variant,
      now: c.now,
      ifNoneMatch: c.headers.ifNoneMatch,
      age,
      render: () => Buffer.from(JSON.stringify(shaped)),
    })
  }
}

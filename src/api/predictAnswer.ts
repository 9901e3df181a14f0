import { Buffer } from 'node:buffer'
import { confidenceLevels, horizons } from '@feecast/client'
import { blockAnswer, type ClockedBody } from './blockAnswers.js'
import type { Answer } from './core/answer.js'
import type { FeedEntry } from './predictionFeed.js'
import { miscasedParameter } from './query.js'
import { PredictQuerySchema } from './schemas.js'
import { type DataAge, parseIntList, predictBodyParts } from './shapes.js'

/**
 * GET /predict as pure steps: the query resolved to a request (once per distinct query), then the
 * answer of the prediction for it.
 */

export type PredictRequest = {
  chainId: number
  /** Confidence levels asked for (undefined: all). */
  confidence: number[] | undefined
  /** Horizons asked for (undefined: all). */
  withinBlocks: number[] | undefined
  /** Names the filter, in ETags and the memo of rendered bodies. */
  variant: string
}

export type ResolvePredictQueryReturnType =
  | { ok: true; request: PredictRequest }
  | {
      ok: false
      /** The first bad parameter. */
      parameter: string
      /** The parameter meant, when `parameter` is its name in another case. */
      didYouMean?: string
    }

const predictParameters = ['chainId', 'confidence', 'withinBlocks']

/**
 * Validates a /predict query (name → value(s), see parseQuery) with PredictQuerySchema. Other parameters
 * are ignored (a cache-busting one, say), but a known one in another case (withinblocks) is an error:
 * ignored, it silently gave the defaults.
 */
export function resolvePredictQuery(
  values: Record<string, string | string[]>,
): ResolvePredictQueryReturnType {
  const miscased = miscasedParameter(values, predictParameters)
  if (miscased !== undefined) return { ok: false, parameter: miscased.given, didYouMean: miscased.expected }
  const result = PredictQuerySchema.safeParse(values)
  if (!result.success) return { ok: false, parameter: String(result.error.issues[0]?.path[0] ?? 'query') }
  let confidence: number[] | undefined
  let withinBlocks: number[] | undefined
  if (result.data.confidence !== undefined) {
    const parsed = parseIntList(result.data.confidence, confidenceLevels)
    if (!parsed.ok) return { ok: false, parameter: 'confidence' }
    confidence = parsed.values
  }
  if (result.data.withinBlocks !== undefined) {
    const parsed = parseIntList(result.data.withinBlocks, horizons)
    if (!parsed.ok) return { ok: false, parameter: 'withinBlocks' }
    withinBlocks = parsed.values
  }
  const variant =
    (confidence ? `c${[...confidence].sort((a, b) => a - b).join('-')}` : '') +
    (withinBlocks ? `w${[...withinBlocks].sort((a, b) => a - b).join('-')}` : '')
  return { ok: true, request: { chainId: Number(result.data.chainId), confidence, withinBlocks, variant } }
}

/**
 * The /predict answer for `request` at `now`: the Prediction of DESIGN.md, filtered, its bytes made
 * once per prediction and filter (blockAnswers.ts) around `ageMs` and `stale`, which follow the clock.
 */
export function predictAnswer(
  entry: FeedEntry,
  request: PredictRequest,
  now: number,
  ifNoneMatch: string | undefined,
): Answer {
  return blockAnswer({
    entry,
    variant: request.variant,
    now,
    ifNoneMatch,
    render: rendererOf(request),
    fragment: ageFragment,
  })
}

/** The clocked part of a /predict body: `"ageMs":<here>` up to `"stale":<here>`. */
const ageFragment = (age: DataAge) => `${age.ageMs},"stale":${age.stale}`

/** One renderer per distinct request (requests are kept per query by the route): none made per request. */
const renderers = new WeakMap<PredictRequest, (entry: FeedEntry) => ClockedBody>()
function rendererOf(request: PredictRequest): (entry: FeedEntry) => ClockedBody {
  let render = renderers.get(request)
  if (render === undefined) {
    render = (entry) => {
      const { head, tail } = predictBodyParts(entry.prediction, {
        confidence: request.confidence,
        withinBlocks: request.withinBlocks,
      })
      return { before: Buffer.from(head), after: Buffer.from(tail) }
    }
    renderers.set(request, render)
  }
  return render
}

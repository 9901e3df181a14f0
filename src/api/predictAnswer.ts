import { confidenceLevels, horizons } from '@feecast/client'
import { chainProfile } from '../chains/chains.js'
import { cacheControlFor, etagFor } from './conditional.js'
import type { FeedEntry } from './predictionFeed.js'
import { PredictQuerySchema } from './schemas.js'
import {
  type DataAge,
  dataAge,
  joinPredictBody,
  type PredictBodyParts,
  parseIntList,
  predictBodyParts,
} from './shapes.js'

/**
 * GET /predict as pure steps, shared by the Hono route and the fast path (fastPredict.ts), so both
 * answer the same bytes: the query resolved to a request, then the answer's headers and body.
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
    }

/** Validates a /predict query (name → value(s), see parseQuery) with PredictQuerySchema. */
export function resolvePredictQuery(
  values: Record<string, string | string[]>,
): ResolvePredictQueryReturnType {
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

export type PredictHeaders = { etag: string; cacheControl: string; age: DataAge }

/** The validators of a /predict answer at `nowMs`: enough to answer 304 without rendering a body. */
export function predictHeaders(entry: FeedEntry, request: PredictRequest, nowMs: number): PredictHeaders {
  const profile = chainProfile(entry.prediction.chainId)
  const age = dataAge(entry.prediction, nowMs, profile.freshnessSeconds)
  return {
    etag: etagFor(entry.version, request.variant, age.stale),
    cacheControl: cacheControlFor(age.ageMs, profile.blockTimeSeconds, age.stale),
    age,
  }
}

/** The cached halves of one filter's body and the last body joined from them, with its length. */
type RenderedPredict = {
  parts: PredictBodyParts
  ageMs: number
  stale: boolean
  body: string
  contentLength: string
}

/**
 * The /predict body (the Prediction of DESIGN.md, filtered) for data `age` old. Rendered once per
 * prediction and filter (kept in the entry's memo); re-joined only when the age has moved on a
 * millisecond, which under load most requests have not.
 */
export function predictBody(entry: FeedEntry, request: PredictRequest, age: DataAge): string {
  return renderedPredict(entry, request, age).body
}

/** `predictBody` with its Content-Length (bytes, as a header value), both kept while the age holds. */
export function renderedPredict(
  entry: FeedEntry,
  request: PredictRequest,
  age: DataAge,
): Readonly<{ body: string; contentLength: string }> {
  const key = `predict:${request.variant}`
  let rendered = entry.memo.get(key) as RenderedPredict | undefined
  if (rendered === undefined) {
    rendered = {
      parts: predictBodyParts(entry.prediction, {
        confidence: request.confidence,
        withinBlocks: request.withinBlocks,
      }),
      ageMs: -1,
      stale: false,
      body: '',
      contentLength: '0',
    }
    entry.memo.set(key, rendered)
  }
  if (rendered.ageMs !== age.ageMs || rendered.stale !== age.stale) {
    rendered.body = joinPredictBody(rendered.parts, age)
    rendered.contentLength = String(Buffer.byteLength(rendered.body))
    rendered.ageMs = age.ageMs
    rendered.stale = age.stale
  }
  return rendered
}

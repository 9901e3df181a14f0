// Imported, not the global: Node's global `Buffer` is a getter (an IC miss per read on the request path).
import { Buffer } from 'node:buffer'
import { chainProfile } from '../chains/chains.js'
import { etagFor, etagMatches } from './conditional.js'
import { type Answer, empty, jsonType } from './core/answer.js'
import type { FeedEntry } from './predictionFeed.js'
import { type DataAge, dataAge } from './shapes.js'

/**
 * The answers of one block's prediction, made once per block, not once per request. Pure: no I/O, the
 * clock is a parameter.
 *
 * An answer's body is made into bytes when the prediction arrives. A body with a field that follows the
 * clock (/predict's `ageMs`, Blocknative's `msSinceLastBlock`) is kept as the bytes before and after that
 * field, and joined again only when the field's value moves (once a millisecond at most, however many
 * requests come in it). ETags are made once per prediction; Cache-Control once per second of age. A
 * request then costs a lookup, a comparison and the write.
 */

/** A body whose one clock-dependent fragment sits between fixed bytes. */
export type ClockedBody = { before: Buffer; after: Buffer }

/** Splits serialized JSON at the one occurrence of `marker` (a placeholder for the clocked fragment). */
export function clockedBody(json: string, marker: string): ClockedBody {
  const at = json.indexOf(marker)
  if (at < 0 || json.indexOf(marker, at + 1) >= 0) throw new RangeError('the marker must occur exactly once')
  return { before: Buffer.from(json.slice(0, at)), after: Buffer.from(json.slice(at + marker.length)) }
}

/** Per variant of an answer (a /predict filter, a compatible shape): what is reused across requests. */
type Rendering = {
  fixed: Buffer | undefined
  clocked: ClockedBody | undefined
  etag: { fresh: string; stale: string }
  fragment: string | undefined
  /** The clock reading (ms) the fragment was made at: one request per ms makes it, the others reuse it. */
  fragmentAt: number
  body: Buffer | undefined
  contentLength: string
  /** The last answers made, by the age's second and staleness. */
  maxAge: number
  stale: boolean
  ok: Answer | undefined
  notModified: Answer | undefined
}

export type BlockAnswerParameters = {
  entry: FeedEntry
  /** Names the answer among the entry's (ETag suffix and cache key): '' for the plain /predict. */
  variant: string
  now: number
  ifNoneMatch: string | undefined
  /** Makes the body once per prediction: fixed bytes, or bytes around a clocked fragment. */
  render: (entry: FeedEntry) => Buffer | ClockedBody
  /** The clocked fragment for data `age` old at `now` (only for clocked bodies). */
  fragment?: ((age: DataAge, now: number) => string) | undefined
  /** The data's age at `now`, when the route has already worked it out (not worked out twice per request). */
  age?: DataAge | undefined
}

/** The memo entry holding a prediction's renderings, by variant. */
const renderingsKey = 'answers'

/** -2 stands for stale (maxAge's value then). */
const cacheControlFor = (maxAge: number) => (maxAge === -2 ? 'no-cache' : `public, max-age=${maxAge}`)

/** Seconds a client may keep the answer: until the next block is due, at most one block time. */
export function maxAgeFor(ageMs: number, blockTimeSeconds: number): number {
  return Math.max(0, Math.min(Math.floor(blockTimeSeconds), Math.floor(blockTimeSeconds - ageMs / 1000)))
}

/** The answer of a block's prediction at `now`: 304 when If-None-Match names it, else 200 with its body. */
export function blockAnswer({
  entry,
  variant,
  now,
  ifNoneMatch,
  render,
  fragment,
  age: knownAge,
}: BlockAnswerParameters): Answer {
  const profile = chainProfile(entry.prediction.chainId)
  const age = knownAge ?? dataAge(entry.prediction, now, profile.freshnessSeconds)
  let renderings = entry.memo.get(renderingsKey) as Map<string, Rendering> | undefined
  if (renderings === undefined) {
    renderings = new Map()
    entry.memo.set(renderingsKey, renderings)
  }
  let r = renderings.get(variant)
  if (r === undefined) {
    const made = render(entry)
    r = {
      fixed: Buffer.isBuffer(made) ? made : undefined,
      clocked: Buffer.isBuffer(made) ? undefined : made,
      etag: { fresh: etagFor(entry.version, variant, false), stale: etagFor(entry.version, variant, true) },
      fragment: undefined,
      fragmentAt: Number.NaN,
      body: Buffer.isBuffer(made) ? made : undefined,
      contentLength: Buffer.isBuffer(made) ? String(made.length) : '0',
      maxAge: -1,
      stale: false,
      ok: undefined,
      notModified: undefined,
    }
    renderings.set(variant, r)
  }
  const maxAge = age.stale ? -2 : maxAgeFor(age.ageMs, profile.blockTimeSeconds)
  if (maxAge !== r.maxAge || age.stale !== r.stale) {
    r.maxAge = maxAge
    r.stale = age.stale
    r.ok = undefined
    r.notModified = undefined
  }
  const etag = age.stale ? r.etag.stale : r.etag.fresh
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) {
    r.notModified ??= empty(304, ['ETag', etag, 'Cache-Control', cacheControlFor(maxAge)])
    return r.notModified
  }
  if (r.clocked !== undefined && fragment !== undefined && now !== r.fragmentAt) {
    r.fragmentAt = now
    const current = fragment(age, now)
    if (current !== r.fragment) {
      r.fragment = current
      r.body = Buffer.concat([r.clocked.before, Buffer.from(current), r.clocked.after])
      r.contentLength = String(r.body.length)
      r.ok = undefined
    }
  }
  r.ok ??= {
    status: 200,
    headers: ['Content-Type', jsonType, 'ETag', etag, 'Cache-Control', cacheControlFor(maxAge)],
    body: r.body ?? Buffer.alloc(0),
    contentLength: r.contentLength,
  }
  return r.ok
}

/** The memo entry holding the values made once per block, by their key. */
const onceKey = 'once'

/** A value made from the prediction once (a compatible shape, or null when it cannot be made). */
export function oncePerBlock<T>(entry: FeedEntry, key: string, make: () => T): T {
  // Keyed by the caller's own constant string: no key is built per request.
  let values = entry.memo.get(onceKey) as Map<string, unknown> | undefined
  if (values === undefined) {
    values = new Map()
    entry.memo.set(onceKey, values)
  }
  if (values.has(key)) return values.get(key) as T
  const value = make()
  values.set(key, value)
  return value
}

import { describe, expect, it } from 'vitest'
import { predictionFixture } from '../../test/support/predictionFixture.js'
import { predictAnswer, resolvePredictQuery } from './predictAnswer.js'
import type { FeedEntry } from './predictionFeed.js'
import { PredictionSchema } from './schemas.js'
import { toPredictResponse } from './shapes.js'

const t = 1_800_000_000
const stored = predictionFixture({ chainId: 1, blockNumber: 500, timestamp: t, createdAt: t * 1000 + 300 })
const entryOf = (): FeedEntry => ({
  prediction: stored,
  version: '1-500-a',
  receivedAt: t * 1000,
  memo: new Map(),
})

describe('resolvePredictQuery', () => {
  it('refuses a known parameter in another case (withinblocks), naming the one meant', () => {
    expect(resolvePredictQuery({ chainId: '1', withinblocks: '3' })).toEqual({
      ok: false,
      parameter: 'withinblocks',
      didYouMean: 'withinBlocks',
    })
  })
  it('names the first bad parameter', () => {
    expect(resolvePredictQuery({})).toEqual({ ok: false, parameter: 'chainId' })
    expect(resolvePredictQuery({ chainId: '1', confidence: '42' })).toEqual({
      ok: false,
      parameter: 'confidence',
    })
    expect(resolvePredictQuery({ chainId: '1', withinBlocks: '4' })).toEqual({
      ok: false,
      parameter: 'withinBlocks',
    })
  })

  it('gives the same variant to the same filter in any order', () => {
    const a = resolvePredictQuery({ chainId: '1', confidence: '99,90', withinBlocks: '10,1' })
    const b = resolvePredictQuery({ chainId: '1', confidence: '90,99', withinBlocks: '1,10' })
    expect(a.ok && b.ok && a.request.variant).toBe('c90-99w1-10')
    expect(b.ok && b.request.variant).toBe('c90-99w1-10')
  })
})

describe('predictAnswer', () => {
  it('answers the filtered Prediction of this instant, byte for byte as JSON.stringify would', () => {
    const resolved = resolvePredictQuery({ chainId: '1', confidence: '90', withinBlocks: '3' })
    if (!resolved.ok) throw new Error('the query is valid')
    const now = t * 1000 + 4_321
    const answer = predictAnswer(entryOf(), resolved.request, now, undefined)
    const expected = toPredictResponse(stored, {
      confidence: [90],
      withinBlocks: [3],
      now,
      freshnessSeconds: 60,
    })
    expect(answer.status).toBe(200)
    expect(answer.body?.toString()).toBe(JSON.stringify(expected))
    const body = PredictionSchema.parse(JSON.parse(answer.body?.toString() ?? ''))
    expect(body.ageMs).toBe(4_321)
    expect(body.estimates.map((e) => [e.confidence, e.withinBlocks])).toEqual([[90, 3]])
  })

  it('keeps answers of different filters apart on one prediction', () => {
    const entry = entryOf()
    const all = resolvePredictQuery({ chainId: '1' })
    const one = resolvePredictQuery({ chainId: '1', confidence: '50' })
    if (!all.ok || !one.ok) throw new Error('the queries are valid')
    const a = predictAnswer(entry, all.request, t * 1000, undefined)
    const b = predictAnswer(entry, one.request, t * 1000, undefined)
    expect(JSON.parse(a.body?.toString() ?? '').estimates.length).toBeGreaterThan(1)
    expect(
      JSON.parse(b.body?.toString() ?? '').estimates.every(
        (e: { confidence: number }) => e.confidence === 50,
      ),
    ).toBe(true)
    expect(a.headers).not.toEqual(b.headers)
  })
})

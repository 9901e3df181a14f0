import { describe, expect, it } from 'vitest'
import { predictionFixture } from '../../test/support/predictionFixture.js'
import { blocknativeFields, metaMaskFields } from '../../test/support/publishedFields.js'
import { pickEstimate } from './pickEstimate.js'
import { BlocknativeSchema, GasStationSchema, MetaMaskSchema, PredictionSchema } from './schemas.js'
import {
  baseFeeTrendOf,
  dataAge,
  gasStationGwei,
  joinPredictBody,
  parseIntList,
  predictBodyParts,
  selectEstimates,
  toBlocknative,
  toGasStation,
  toMetaMask,
  toPredictResponse,
  weiToGwei,
  weiToGweiString,
} from './shapes.js'
import { walletTiers } from './walletTiers.js'

const t = 1_800_000_000
const fixture = () =>
  predictionFixture({ chainId: 1, blockNumber: 500, timestamp: t, createdAt: t * 1000 + 300 })

describe('wei to gwei', () => {
  it.each([
    ['0', 0, '0'],
    ['1', 1e-9, '0.000000001'],
    ['1500000000', 1.5, '1.5'],
    ['30000000000', 30, '30'],
    ['123456789012345678901', Number('123456789012.345678901'), '123456789012.345678901'],
  ])('%s wei', (wei, number, text) => {
    expect(weiToGwei(wei)).toBeCloseTo(number, 9)
    expect(weiToGweiString(wei)).toBe(text)
  })
})

describe('dataAge', () => {
  it('is now minus the head block time, stale past the freshness bound', () => {
    const made = { timestamp: t, createdAt: t * 1000 + 200 }
    expect(dataAge(made, t * 1000 + 12_000, 30)).toEqual({ ageMs: 12_000, stale: false })
    expect(dataAge(made, t * 1000 + 30_001, 30)).toEqual({ ageMs: 30_001, stale: true })
    // A head a little ahead of this clock: counted from when the prediction was made.
    expect(dataAge({ timestamp: t, createdAt: t * 1000 - 800 }, t * 1000 - 500, 30)).toEqual({
      ageMs: 300,
      stale: false,
    })
  })

  it('counts from when the prediction was made when the head claims a later time (a block from the future)', () => {
    const yearAhead = t + 365 * 86_400
    const made = { timestamp: yearAhead, createdAt: t * 1000 }
    expect(dataAge(made, t * 1000 + 5_000, 30)).toEqual({ ageMs: 5_000, stale: false })
    expect(dataAge(made, t * 1000 + 31_000, 30)).toEqual({ ageMs: 31_000, stale: true })
  })
})

describe('/predict', () => {
  it('fills age and staleness and keeps the schema', () => {
    const answer = toPredictResponse(fixture(), { now: t * 1000 + 40_000, freshnessSeconds: 30 })
    expect(PredictionSchema.parse(answer)).toEqual(answer)
    expect(answer).toMatchObject({ ageMs: 40_000, stale: true })
    expect(answer.estimates).toHaveLength(15)
  })
  it('filters the estimates by confidence and horizon', () => {
    const picked = selectEstimates(fixture().estimates, { confidence: [90, 99], withinBlocks: [3] })
    expect(picked.map((e) => [e.confidence, e.withinBlocks])).toEqual([
      [90, 3],
      [99, 3],
    ])
  })
  it('renders from two cached halves, byte for byte as JSON.stringify', () => {
    const p = fixture()
    for (const filter of [{}, { confidence: [50] }, { withinBlocks: [1, 10] }]) {
      const parts = predictBodyParts(p, filter)
      for (const now of [t * 1000, t * 1000 + 99_999]) {
        const expected = JSON.stringify(toPredictResponse(p, { ...filter, now, freshnessSeconds: 30 }))
        expect(joinPredictBody(parts, dataAge(p, now, 30))).toBe(expected)
      }
    }
  })
  it('leaves out the market summary when the prediction has none', () => {
    const p = predictionFixture({ withoutMarket: true })
    expect('market' in toPredictResponse(p, { now: 0, freshnessSeconds: 30 })).toBe(false)
  })
})

describe('pickEstimate', () => {
  const estimates = fixture().estimates
  it('takes the exact promise when there is one', () => {
    expect(pickEstimate(estimates, 90, 3)).toMatchObject({ confidence: 90, withinBlocks: 3 })
  })
  it('otherwise the cheapest stronger promise, never a weaker one', () => {
    const e = pickEstimate(estimates, 80, 1)!
    expect(e.withinBlocks).toBe(1)
    expect(e.confidence).toBe(90)
    expect(pickEstimate(estimates, 99.5, 1)).toBeNull()
  })
})

describe('Blocknative shape', () => {
  it('has the published fields, next block, levels 99/95/90/80/70 in gwei', () => {
    const p = fixture()
    const body = toBlocknative(p, { now: t * 1000 + 1500 })!
    expect(BlocknativeSchema.parse(body)).toEqual(body)
    expect(Object.keys(body).sort()).toEqual(blocknativeFields)
    expect(body).toMatchObject({
      system: 'ethereum',
      network: 'main',
      unit: 'gwei',
      currentBlockNumber: 500,
      msSinceLastBlock: 1500,
    })
    const [block] = body.blockPrices
    expect(Object.keys(block!).sort()).toEqual([
      'baseFeePerGas',
      'blockNumber',
      'estimatedPrices',
      'estimatedTransactionCount',
    ])
    expect(block!.blockNumber).toBe(501)
    expect(block!.baseFeePerGas).toBe(20)
    expect(block!.estimatedPrices.map((e) => e.confidence)).toEqual([99, 95, 90, 80, 70])
    const by = (c: number) => block!.estimatedPrices.find((e) => e.confidence === c)!
    const e90 = p.estimates.find((e) => e.confidence === 90 && e.withinBlocks === 1)!
    expect(by(80)).toEqual({ ...by(90), confidence: 80 })
    expect(by(90)).toEqual({
      confidence: 90,
      price: weiToGwei(e90.expectedFeePerGas),
      maxPriorityFeePerGas: e90.maxPriorityFeePerGasGwei,
      maxFeePerGas: e90.maxFeePerGasGwei,
    })
    expect(body.maxPrice).toBe(Math.max(...block!.estimatedPrices.map((e) => e.maxFeePerGas)))
    for (const e of block!.estimatedPrices)
      expect(Object.keys(e).sort()).toEqual(['confidence', 'maxFeePerGas', 'maxPriorityFeePerGas', 'price'])
  })
  it('is null without next-block estimates', () => {
    expect(toBlocknative(predictionFixture({ withinBlocks: [3] }), { now: 0 })).toBeNull()
  })
})

describe('MetaMask shape', () => {
  it('has the published fields: low/medium/high are the ordered wallet tiers', () => {
    const p = fixture()
    const body = toMetaMask(p, { blockTimeSeconds: 12 })!
    expect(MetaMaskSchema.parse(body)).toEqual(body)
    expect(Object.keys(body).sort()).toEqual(metaMaskFields)
    const tiers = walletTiers({
      estimates: p.estimates,
      pendingBaseFeePerGas: BigInt(p.pendingBaseFeePerGas),
    })!
    expect(body.low).toEqual({
      suggestedMaxPriorityFeePerGas: weiToGweiString(tiers.low.maxPriorityFeePerGas),
      suggestedMaxFeePerGas: weiToGweiString(tiers.low.maxFeePerGas),
      minWaitTimeEstimate: 12_000,
      maxWaitTimeEstimate: 120_000,
    })
    expect(body.medium.maxWaitTimeEstimate).toBe(36_000)
    expect(body.high.maxWaitTimeEstimate).toBe(12_000)
    expect(body.high.suggestedMaxFeePerGas).toBe(weiToGweiString(tiers.high.maxFeePerGas))
    expect(body.estimatedBaseFee).toBe('20')
    expect(body.networkCongestion).toBe(0.55)
    expect(body.latestPriorityFeeRange).toEqual(['0.01', '5'])
    expect(body.priorityFeeTrend).toBe('up')
  })
  it('without a market summary: every market field null, as MetaMask types the fallback', () => {
    const body = toMetaMask(predictionFixture({ withoutMarket: true }), { blockTimeSeconds: 2 })!
    expect(MetaMaskSchema.parse(body)).toEqual(body)
    expect(body).toMatchObject({
      networkCongestion: null,
      latestPriorityFeeRange: null,
      historicalPriorityFeeRange: null,
      historicalBaseFeeRange: null,
      priorityFeeTrend: null,
      baseFeeTrend: null,
    })
  })
  it('with one market field unknown: all of them null, never a mix', () => {
    const p = fixture()
    p.market = { ...p.market!, latestPriorityFeeRange: null }
    const body = toMetaMask(p, { blockTimeSeconds: 2 })!
    expect([body.networkCongestion, body.historicalBaseFeeRange, body.priorityFeeTrend]).toEqual([
      null,
      null,
      null,
    ])
  })
  it('takes the base-fee trend from the forecast when the market summary has none', () => {
    const p = fixture()
    p.market = { ...p.market!, baseFeeTrend: null }
    expect(toMetaMask(p, { blockTimeSeconds: 2 })!.baseFeeTrend).toBe(baseFeeTrendOf(p))
  })
  it('derives the base-fee trend from the farthest median', () => {
    const p = predictionFixture({ withoutMarket: true })
    const far = p.baseFeeForecast.at(-1)!
    far.quantiles['50'] = String((BigInt(p.pendingBaseFeePerGas) * 110n) / 100n)
    expect(baseFeeTrendOf(p)).toBe('up')
    far.quantiles['50'] = String((BigInt(p.pendingBaseFeePerGas) * 90n) / 100n)
    expect(baseFeeTrendOf(p)).toBe('down')
  })
})

describe('Polygon gas station shape', () => {
  it('serves the wallet tiers as safeLow/standard/fast in gwei numbers', () => {
    const p = fixture()
    const body = GasStationSchema.parse(toGasStation(p, { blockTimeSeconds: 2 }))
    const tiers = walletTiers({
      estimates: p.estimates,
      pendingBaseFeePerGas: BigInt(p.pendingBaseFeePerGas),
    })!
    expect(body.standard).toEqual({
      maxPriorityFee: weiToGwei(tiers.medium.maxPriorityFeePerGas),
      maxFee: weiToGwei(tiers.medium.maxFeePerGas),
    })
    expect(body).toMatchObject({ estimatedBaseFee: 20, blockTime: 2, blockNumber: 500 })
    expect(body.safeLow.maxFee).toBeLessThan(body.standard.maxFee)
    expect(body.standard.maxFee).toBeLessThan(body.fast.maxFee)
  })
  it.each([
    [0n, '0'],
    [1n, '0.000001'],
    [999n, '0.000001'],
    [1000n, '0.000001'],
    [1234567n, '0.001234567'],
    [30_000_000_001n, '30.000000001'],
  ])('writes %s wei as a gwei number without an exponent (%s)', (wei, text) => {
    expect(String(gasStationGwei(wei))).toBe(text)
  })
})

describe('parseIntList', () => {
  it.each([
    ['90', [90]],
    ['90,99', [90, 99]],
    [' 99 , 90 ,99', [99, 90]],
  ])('accepts %j', (raw, values) =>
    expect(parseIntList(raw, [50, 70, 90, 95, 99])).toEqual({ ok: true, values }),
  )
  it.each(['', ',', '80', '90,', '9O', '-90', '90.5', '1e2'])('rejects %j', (raw) =>
    expect(parseIntList(raw, [50, 70, 90, 95, 99]).ok).toBe(false),
  )
})

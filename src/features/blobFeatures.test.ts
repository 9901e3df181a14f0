import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { bpo1Time, cancunTime, syntheticBlobRows } from '../../test/helpers/blobHistory.js'
import { blobForkAt, mainnetBlobSchedule } from '../chains/blobSchedule.js'
import { blobTransitionRule } from '../fees/nextExcessBlobGas.js'
import { parseHistoryCsv } from '../history/historyCsv.js'
import { blobFeatureNames } from './blobFeatureNames.js'
import { blobFeatureMatrix, computeBlobFeatures } from './blobFeatures.js'
import { blobMaxLogStep, blobRuleCode, blobSeriesRuns, sliceBlobSeries, toBlobSeries } from './blobSeries.js'

const schedule = mainnetBlobSchedule
const index = (name: string) => blobFeatureNames.indexOf(name)

describe('blob series', () => {
  it('reads each block under the fork at its timestamp, with its exact fee and transition rule', () => {
    const rows = syntheticBlobRows({ blocks: 50, seed: 1, firstTimestamp: bpo1Time })
    const [series] = blobSeriesRuns({ blocks: rows, schedule })
    expect(series!.length).toBe(50)
    expect(series!.max[0]).toBe(15)
    expect(blobMaxLogStep(series!, 0)).toBeCloseTo(Math.log(1.082), 3)
    // A base fee of 1 gwei puts the reserve price at 62.5 Mwei, far above this fee: the reserve binds.
    expect(
      [...series!.rule.subarray(1)].every((r) => r === blobRuleCode.reserve || r === blobRuleCode.normal),
    ).toBe(true)
    expect(series!.rule.subarray(1).includes(blobRuleCode.reserve)).toBe(true)
  })
  it('classifies real transitions as the exact bigint rule does', () => {
    // Real mainnet blocks (Chainscore Labs, score-da dataset, CC BY 4.0): see test/fixtures/blobs/README.md.
    const text = readFileSync(
      new URL('../../test/fixtures/blobs/mainnet-blob-transitions.csv', import.meta.url),
      'utf8',
    )
    const runs = blobSeriesRuns({ blocks: parseHistoryCsv({ text }).rows, schedule })
    let checked = 0
    for (const s of runs)
      for (let i = 1; i < s.length; i++) {
        const fork = blobForkAt(schedule, s.timestamp[i]!)!
        const rule = blobTransitionRule(
          {
            parent: {
              excessBlobGas: BigInt(s.excessBlobGas[i - 1]!),
              blobGasUsed: BigInt(s.blobs[i - 1]!) * 131_072n,
            },
            parameters: fork,
          },
          BigInt(s.excessBlobGas[i]!),
        )
        expect(s.rule[i]).toBe(blobRuleCode[rule!])
        checked++
      }
    expect(checked).toBeGreaterThan(35)
  })
  it('switch the fork at the right block inside a replayed window (Prague at 22,431,084)', () => {
    // Real mainnet blocks (Chainscore Labs, score-da dataset, CC BY 4.0): see test/fixtures/blobs/README.md.
    const text = readFileSync(
      new URL('../../test/fixtures/blobs/mainnet-blob-transitions.csv', import.meta.url),
      'utf8',
    )
    const run = blobSeriesRuns({
      blocks: parseHistoryCsv({ text, blobSchedule: schedule }).rows,
      schedule,
    }).find((s) => s.firstNumber === 22_431_081)!
    const at = 22_431_084 - run.firstNumber
    expect([...run.max]).toEqual([6, 6, 6, 9, 9, 9, 9])
    expect(run.rule[at]).toBe(blobRuleCode.normal) // with Prague's target, from Cancun's last block
    expect(blobMaxLogStep(run, at - 1)).toBeCloseTo(Math.log(1.125), 3)
    expect(blobMaxLogStep(run, at)).toBeCloseTo(Math.log(1.0817), 3)
    const before = computeBlobFeatures(run, at - 1)
    const after = computeBlobFeatures(run, at)
    expect(before[index('target_share')]).toBe(0.5)
    expect(after[index('target_share')]).toBeCloseTo(2 / 3, 10)
    // The fee drops 160-fold at the fork (Prague's larger update fraction reads the same excess lower), but
    // the features read the excess, which the fork carries over: the move into the first Prague block is
    // what its parent's 5 blobs did under Prague's target of 6, one blob below target: -1/3 of a full rise.
    expect(after[index('step_lag0')]).toBeCloseTo(-1 / 3, 10)
    expect(Math.abs(after[index('momentum_2')]!)).toBeLessThan(1)
  })
  it('splits runs at gaps and at rows without blob fields', () => {
    const rows = syntheticBlobRows({ blocks: 30, seed: 2 })
    const gapped = [
      ...rows.slice(0, 10),
      ...rows.slice(11, 20),
      { ...rows[20]!, excessBlobGas: null, blobGasUsed: null },
      ...rows.slice(21),
    ]
    expect(blobSeriesRuns({ blocks: gapped, schedule }).map((s) => s.length)).toEqual([10, 9, 9])
  })
})

describe('blob features', () => {
  const rows = syntheticBlobRows({ blocks: 700, seed: 3 })
  const series = toBlobSeries({ blocks: rows, schedule })

  it('are the same one decision at a time and in a batch', () => {
    const matrix = blobFeatureMatrix(series, 0, series.length)
    const F = blobFeatureNames.length
    for (const end of [0, 1, 5, 63, 256, 257, 699]) {
      const one = computeBlobFeatures(series, end)
      for (let j = 0; j < F; j++) expect(matrix[end * F + j]).toBeCloseTo(one[j]!, 5)
    }
  })

  it('read only the past: changing blocks after the decision changes nothing', () => {
    const changed = rows.map((r, i) =>
      i > 400 ? { ...r, blobGasUsed: 0n, excessBlobGas: i === 401 ? r.excessBlobGas : 0n } : r,
    )
    // (rows after 401 no longer follow the rules, but features only read up to the decision)
    const other = toBlobSeries({ blocks: changed, schedule })
    expect([...computeBlobFeatures(other, 401)]).toEqual([...computeBlobFeatures(series, 401)])
    expect([...computeBlobFeatures(other, 450)]).not.toEqual([...computeBlobFeatures(series, 450)])
  })

  it('a window cut from a long series gives the same features as the long one (live reads a window)', () => {
    const window = sliceBlobSeries(series, 700 - 257, 700)
    expect([...computeBlobFeatures(window, 256)]).toEqual([...computeBlobFeatures(series, 699)])
  })

  it('are scale-free: the same usage relative to target and max reads the same under Cancun and BPO1', () => {
    // Usage as a share of max, mapped from Cancun's 6 to BPO1's 15 blobs where it divides evenly: 0, 3 (target
    // shares differ: 1/2 vs 2/3, so use full and empty blocks only, which read 1 and -target/(max-target)).
    const pattern = Array.from({ length: 300 }, (_, i) => (i % 7 < 3 ? 1 : 0))
    const build = (time: number, max: number) => {
      let excess = 0n
      return pattern.map((full, i) => {
        const row = {
          number: 100 + i,
          timestamp: time + 12 * i,
          blobGasUsed: BigInt(full * max) * 131_072n,
          excessBlobGas: excess,
        }
        excess = BigInt(Math.max(0, Number(excess) + (full * max - max / 2) * 131_072))
        return row
      })
    }
    // A hypothetical fork with Cancun's 1/2 target share but BPO1's size: same features, up to rounding.
    const big = [
      ...schedule.slice(0, 1),
      {
        ...schedule[0]!,
        name: 'big',
        activationTime: bpo1Time,
        target: 10,
        max: 20,
        baseFeeUpdateFraction: 11_124_600n,
      },
    ]
    const small = toBlobSeries({ blocks: build(cancunTime, 6), schedule })
    const large = toBlobSeries({ blocks: build(bpo1Time, 20), schedule: big })
    const a = computeBlobFeatures(small, 299)
    const b = computeBlobFeatures(large, 299)
    for (let j = 0; j < blobFeatureNames.length; j++) expect(b[j]!, blobFeatureNames[j]).toBeCloseTo(a[j]!, 2)
  })

  it('say how much history there is and where the floor is', () => {
    const floor = toBlobSeries({
      blocks: syntheticBlobRows({ blocks: 20, seed: 5, firstExcess: 0n }),
      schedule,
    })
    const f = computeBlobFeatures(floor, 0)
    expect(f[index('history_share')]).toBe(0)
    expect(f[index('at_floor')]).toBe(1)
    expect(f[index('floor_distance')]).toBe(0)
    const high = computeBlobFeatures(series, 300)
    expect(high[index('history_share')]).toBe(1)
    expect(high[index('floor_distance')]).toBe(1) // 60M excess is far above the floor
    expect(high[index('target_share')]).toBe(0.5)
  })
})

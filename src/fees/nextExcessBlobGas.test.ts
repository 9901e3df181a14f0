import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { sharedData } from '../../test/helpers/sharedData.js'
import { blobForkAt, mainnetBlobSchedule, nextBlockBlobForks } from '../chains/blobSchedule.js'
import { blobRuleCode, blobSeriesRuns } from '../features/blobSeries.js'
import { parseHistoryCsv } from '../history/historyCsv.js'
import type { HistoryRow } from '../types.js'
import { blobBaseFee } from './blobBaseFee.js'
import { blobBaseCost, gasPerBlob } from './blobGas.js'
import { BlobGasError } from './errors.js'
import { nextBlobBaseFee } from './nextBlobBaseFee.js'
import { blobTransitionRule, nextExcessBlobGas } from './nextExcessBlobGas.js'

// Real mainnet blocks (Chainscore Labs, score-da dataset, CC BY 4.0): see test/fixtures/blobs/README.md.
const fixture = new URL('../../test/fixtures/blobs/mainnet-blob-transitions.csv', import.meta.url)
const { rows } = parseHistoryCsv({ text: readFileSync(fixture, 'utf8'), source: 'fixture' })
const transitions = rows.flatMap((child, i) => {
  const parent = rows[i - 1]
  return parent && parent.number === child.number - 1 ? [{ parent, child }] : []
})
const header = (row: HistoryRow) => ({ excessBlobGas: row.excessBlobGas!, blobGasUsed: row.blobGasUsed! })
const forkOf = (row: HistoryRow) => blobForkAt(mainnetBlobSchedule, row.timestamp!)!
const row = (number: number) => rows.find((r) => r.number === number)!

describe('nextExcessBlobGas on real mainnet transitions', () => {
  it('the fixture holds every kind of transition', () => {
    const kinds = new Set(
      transitions.map(({ parent, child }) =>
        blobTransitionRule({ parent: header(parent), parameters: forkOf(child) }, child.excessBlobGas!),
      ),
    )
    expect(transitions.length).toBeGreaterThanOrEqual(38)
    expect(kinds).toEqual(new Set(['floor', 'normal', 'reserve']))
  })

  it('recomputes every pre-Osaka transition exactly from the parent header and the child fork', () => {
    const preOsaka = transitions.filter(({ child }) => !forkOf(child).reservePrice)
    expect(preOsaka.length).toBeGreaterThan(15)
    for (const { parent, child } of preOsaka)
      expect(
        nextExcessBlobGas({ parent: header(parent), parameters: forkOf(child) }).excessBlobGas,
        `block ${child.number}`,
      ).toBe(child.excessBlobGas)
  })

  it('recomputes Osaka transitions on both EIP-7918 branches, chosen by the parent base fee', () => {
    const osaka = transitions.filter(({ child }) => forkOf(child).reservePrice)
    let reserve = 0
    let normal = 0
    for (const { parent, child } of osaka) {
      const parameters = forkOf(child)
      const rule = blobTransitionRule({ parent: header(parent), parameters }, child.excessBlobGas!)
      expect(rule, `block ${child.number}`).not.toBeNull()
      if (rule === 'floor') continue
      // The files lack the base fee: take one just above or below the reserve threshold of this parent.
      const threshold =
        (gasPerBlob * blobBaseFee({ excessBlobGas: parent.excessBlobGas!, parameters })) / blobBaseCost
      const baseFeePerGas = rule === 'reserve' ? threshold + 1n : threshold - 1n
      const next = nextExcessBlobGas({ parent: { ...header(parent), baseFeePerGas }, parameters })
      expect(next.excessBlobGas, `block ${child.number}`).toBe(child.excessBlobGas)
      if (next.rule === 'reserve') reserve++
      else normal++
    }
    expect(reserve).toBeGreaterThan(3)
    expect(normal).toBeGreaterThan(3)
  })

  it('asks for the parent base fee where EIP-7918 may bind', () => {
    const { parent, child } = transitions.find(({ child }) => forkOf(child).name === 'bpo1')!
    expect(() => nextExcessBlobGas({ parent: header(parent), parameters: forkOf(child) })).toThrow(
      BlobGasError,
    )
  })

  it('switches the rule at the fork block: Prague target from block 22,431,084, BPO1 from 23,975,778', () => {
    const cancun = mainnetBlobSchedule[0]!
    const prague = mainnetBlobSchedule[1]!
    const lastCancun = row(22_431_083)
    const firstPrague = row(22_431_084)
    expect(forkOf(lastCancun).name).toBe('cancun')
    expect(forkOf(firstPrague).name).toBe('prague')
    expect(nextExcessBlobGas({ parent: header(lastCancun), parameters: prague }).excessBlobGas).toBe(
      firstPrague.excessBlobGas,
    )
    // With the parent's (Cancun) target the excess would have been 3 blobs higher.
    expect(nextExcessBlobGas({ parent: header(lastCancun), parameters: cancun }).excessBlobGas).toBe(
      firstPrague.excessBlobGas! + 3n * gasPerBlob,
    )
    // The blob base fee drops at the fork: the same excess is read with Prague's larger update fraction.
    expect(blobBaseFee({ excessBlobGas: firstPrague.excessBlobGas!, parameters: prague })).toBeLessThan(
      blobBaseFee({ excessBlobGas: lastCancun.excessBlobGas!, parameters: cancun }) / 10n,
    )
    const firstBpo1 = row(23_975_778)
    const osaka = mainnetBlobSchedule[2]!
    const bpo1 = mainnetBlobSchedule[3]!
    const parent = { ...header(row(23_975_777)), baseFeePerGas: 0n }
    expect(nextExcessBlobGas({ parent, parameters: bpo1 }).excessBlobGas).not.toBe(
      nextExcessBlobGas({ parent, parameters: osaka }).excessBlobGas,
    )
    expect(
      blobTransitionRule({ parent: header(row(23_975_777)), parameters: bpo1 }, firstBpo1.excessBlobGas!),
    ).toBe('reserve')
  })
})

describe('nextBlobBaseFee', () => {
  it('is exact away from forks: the child fork rule and fee', () => {
    const parent = row(21_438_250)
    const next = nextBlobBaseFee({
      parent: header(parent),
      candidates: nextBlockBlobForks(mainnetBlobSchedule, parent.timestamp!),
    })!
    expect(next.candidates).toHaveLength(1)
    expect(next.excessBlobGas).toBe(row(21_438_251).excessBlobGas)
    expect(next.blobBaseFeePerGas).toBe(
      blobBaseFee({ excessBlobGas: row(21_438_251).excessBlobGas!, parameters: mainnetBlobSchedule[0]! }),
    )
  })

  it('takes the higher candidate within two slots of a fork', () => {
    const head = row(22_431_083) // 12 s before Prague: the next block may be Cancun's or Prague's
    const next = nextBlobBaseFee({
      parent: header(head),
      candidates: nextBlockBlobForks(mainnetBlobSchedule, head.timestamp!),
    })!
    expect(next.candidates.map((c) => c.blobBaseFeePerGas)).toHaveLength(2)
    expect(next.parameters.baseFeeUpdateFraction).toBe(3_338_477n)
    expect(next.blobBaseFeePerGas).toBe(
      [...next.candidates.map((c) => c.blobBaseFeePerGas)].sort((a, b) => (a < b ? 1 : -1))[0],
    )
    // Far from the fork, one candidate.
    expect(nextBlockBlobForks(mainnetBlobSchedule, head.timestamp! - 600)).toHaveLength(1)
  })

  it('is null for a chain without blobs', () => {
    expect(nextBlobBaseFee({ parent: { excessBlobGas: 0n, blobGasUsed: 0n }, candidates: [] })).toBeNull()
    expect(nextBlockBlobForks(mainnetBlobSchedule, 1_700_000_000)).toEqual([])
  })
})

const files = [
  'eth-blobs-2024-03-launch.csv',
  'eth-blobs-2024-12-congested.csv',
  'eth-blobs-2025-05-pectra.csv',
  'eth-blobs-2025-11-fusaka-bpo1.csv',
]
const blobs = sharedData('blobs')
describe.skipIf(blobs === null)('every transition of the shared blob files', () => {
  it('follows a rule of the fork at the child timestamp: floor or normal before Osaka, reserve or normal after', () => {
    const counts = { floor: 0, normal: 0, reserve: 0, osakaReserve: 0, osakaNormal: 0 }
    for (const file of files) {
      const text = readFileSync(`${blobs}/${file}`, 'utf8')
      // The parser checks every transition against the schedule (and throws on the first that fails).
      const parsed = parseHistoryCsv({ text, source: file, blobSchedule: mainnetBlobSchedule })
      // The blob series classifies transitions in plain numbers: it must agree with the bigint rule.
      const [series] = blobSeriesRuns({ blocks: parsed.rows, schedule: mainnetBlobSchedule })
      expect(series!.length).toBe(parsed.rows.length)
      for (let i = 1; i < parsed.rows.length; i++) {
        const child = parsed.rows[i]!
        const parameters = forkOf(child)
        const rule = blobTransitionRule(
          { parent: header(parsed.rows[i - 1]!), parameters },
          child.excessBlobGas!,
        )
        if (series!.rule[i] !== blobRuleCode[rule!])
          expect(series!.rule[i], `block ${child.number}`).toBe(blobRuleCode[rule!])
        counts[rule!]++
        if (parameters.reservePrice && rule === 'reserve') counts.osakaReserve++
        if (parameters.reservePrice && rule === 'normal') counts.osakaNormal++
      }
    }
    // ../shared/data/README.md: in the Fusaka/BPO1 file 134,945 took the reserve line and 65,414 the normal one.
    expect(counts.osakaReserve).toBe(134_945)
    expect(counts.osakaNormal).toBe(65_414)
    expect(counts.reserve).toBe(counts.osakaReserve)
  }, 120_000)
})

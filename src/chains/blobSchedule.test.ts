import { describe, expect, it } from 'vitest'
import { blobForkAt, blobForksBetween, mainnetBlobSchedule, nextBlockBlobForks } from './blobSchedule.js'
import { blobScheduleFromEthConfig, blobScheduleMismatches } from './blobScheduleFromEthConfig.js'
import { builtInBlobSchedule } from './blobSchedules.js'
import { BlobScheduleError } from './errors.js'
import { parseBlobSchedule } from './parseBlobSchedule.js'

describe('mainnet blob schedule', () => {
  it('has the forks of ../shared/data/README.md at their activation times', () => {
    expect(mainnetBlobSchedule.map((f) => [f.name, f.activationTime, f.target, f.max])).toEqual([
      ['cancun', 1710338135, 3, 6],
      ['prague', 1746612311, 6, 9],
      ['osaka', 1764798551, 6, 9],
      ['bpo1', 1765290071, 10, 15],
      ['bpo2', 1767747671, 14, 21],
    ])
    expect(mainnetBlobSchedule.map((f) => f.reservePrice)).toEqual([false, false, true, true, true])
  })
  it('finds the fork in force at a time, none before Cancun', () => {
    expect(blobForkAt(mainnetBlobSchedule, 1710338134)).toBeUndefined()
    expect(blobForkAt(mainnetBlobSchedule, 1710338135)?.name).toBe('cancun')
    expect(blobForkAt(mainnetBlobSchedule, 1767747670)?.name).toBe('bpo1')
    expect(blobForkAt(mainnetBlobSchedule, 1800000000)?.name).toBe('bpo2')
    expect(blobForksBetween(mainnetBlobSchedule, 1765290060, 1765290080).map((f) => f.name)).toEqual([
      'osaka',
      'bpo1',
    ])
    expect(nextBlockBlobForks(mainnetBlobSchedule, 1767747671 - 24).map((f) => f.name)).toEqual([
      'bpo1',
      'bpo2',
    ])
    expect(nextBlockBlobForks(mainnetBlobSchedule, 1767747671 - 25).map((f) => f.name)).toEqual(['bpo1'])
  })
  it('is built in for chain 1 only: other chains have no blob prediction until given a schedule', () => {
    expect(builtInBlobSchedule(1)).toBe(mainnetBlobSchedule)
    expect(builtInBlobSchedule(8453)).toBeNull()
  })
})

describe('parseBlobSchedule', () => {
  const own = JSON.stringify({
    forks: [
      {
        name: 'b',
        activationTime: 200,
        target: 6,
        max: 9,
        baseFeeUpdateFraction: 5007716,
        reservePrice: true,
      },
      { name: 'a', activationTime: 100, target: 3, max: 6, baseFeeUpdateFraction: '3338477' },
    ],
  })
  it("reads feecast's shape, sorted by activation time", () => {
    const schedule = parseBlobSchedule({ text: own })
    expect(schedule.map((f) => f.name)).toEqual(['a', 'b'])
    expect(schedule[0]).toMatchObject({ baseFeeUpdateFraction: 3338477n, reservePrice: false })
  })
  it('reads a genesis config (EIP-7840) and applies EIP-7918 from Osaka on', () => {
    const genesis = {
      config: {
        chainId: 17000,
        cancunTime: 1000,
        pragueTime: '0x7d0',
        osakaTime: 3000,
        bpo1Time: 4000,
        blobSchedule: {
          cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 },
          prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
          osaka: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
          bpo1: { target: 10, max: 15, baseFeeUpdateFraction: 8346193 },
        },
      },
    }
    const schedule = parseBlobSchedule({ text: JSON.stringify(genesis) })
    expect(schedule.map((f) => [f.name, f.activationTime, f.reservePrice])).toEqual([
      ['cancun', 1000, false],
      ['prague', 2000, false],
      ['osaka', 3000, true],
      ['bpo1', 4000, true],
    ])
  })
  const bad: [string, string, RegExp][] = [
    ['not JSON', '{', /not valid JSON/],
    ['another shape', '{"x": 1}', /neither a feecast schedule/],
    [
      'max not above target',
      '[{"name":"a","activationTime":1,"target":6,"max":6,"baseFeeUpdateFraction":1}]',
      /fork "a": max 6 must be a whole number of blobs above the target/,
    ],
    [
      'absurd max',
      '[{"name":"a","activationTime":1,"target":6,"max":100000,"baseFeeUpdateFraction":1}]',
      /at most 1024/,
    ],
    [
      'negative time',
      '[{"name":"a","activationTime":-1,"target":3,"max":6,"baseFeeUpdateFraction":1}]',
      /neither a feecast schedule.*activationTime/,
    ],
    [
      'same time twice',
      '[{"name":"a","activationTime":1,"target":3,"max":6,"baseFeeUpdateFraction":1},{"name":"b","activationTime":1,"target":3,"max":6,"baseFeeUpdateFraction":1}]',
      /activate at the same time 1/,
    ],
    [
      'genesis without a time',
      '{"config":{"blobSchedule":{"cancun":{"target":3,"max":6,"baseFeeUpdateFraction":1}}}}',
      /no valid "cancunTime"/,
    ],
  ]
  it.each(bad)('refuses %s with a message naming the problem', (_name, text, message) => {
    expect(() => parseBlobSchedule({ text, source: 'schedule.json' })).toThrowError(BlobScheduleError)
    expect(() => parseBlobSchedule({ text, source: 'schedule.json' })).toThrowError(message)
  })
})

describe('blobScheduleFromEthConfig (EIP-7910)', () => {
  const precompiles = (osaka: boolean) => ({
    ECREC: '0x0000000000000000000000000000000000000001',
    KZG_POINT_EVALUATION: '0x000000000000000000000000000000000000000a',
    ...(osaka ? { P256VERIFY: '0x0000000000000000000000000000000000000100' } : {}),
  })
  const answer = {
    current: {
      activationTime: 1764798551,
      blobSchedule: { baseFeeUpdateFraction: 5007716, max: 9, target: 6 },
      chainId: '0x1',
      forkId: '0x5167e2a6',
      precompiles: precompiles(true),
      systemContracts: {},
    },
    next: {
      activationTime: 1765290071,
      blobSchedule: { baseFeeUpdateFraction: 8346193, max: 15, target: 10 },
      chainId: '0x1',
      forkId: '0xcba2a1c0',
      precompiles: precompiles(true),
      systemContracts: {},
    },
    last: null,
  }
  it("gives the current and next forks, EIP-7918 from Osaka's P256VERIFY precompile, and agrees with mainnet's", () => {
    const schedule = blobScheduleFromEthConfig({ result: answer, chainId: 1 })
    expect(schedule.map((f) => [f.activationTime, f.target, f.max, f.reservePrice])).toEqual([
      [1764798551, 6, 9, true],
      [1765290071, 10, 15, true],
    ])
    expect(blobScheduleMismatches(mainnetBlobSchedule, schedule)).toEqual([])
  })
  it('names what a wrong or hostile node says differently', () => {
    const wrong = structuredClone(answer)
    wrong.next.blobSchedule.max = 16
    wrong.current.precompiles = precompiles(false)
    const schedule = blobScheduleFromEthConfig({ result: wrong, chainId: 1 })
    expect(blobScheduleMismatches(mainnetBlobSchedule, schedule)).toEqual([
      'osaka: the node says reservePrice false, the built-in schedule true',
      'bpo1: the node says max 16, the built-in schedule 15',
    ])
  })
  it('refuses an answer for another chain, or malformed', () => {
    expect(() => blobScheduleFromEthConfig({ result: answer, chainId: 10 })).toThrow(/is for chain 1, not 10/)
    expect(() =>
      blobScheduleFromEthConfig({ result: { current: { activationTime: 'soon' } }, chainId: 1 }),
    ).toThrow(BlobScheduleError)
    expect(() => blobScheduleFromEthConfig({ result: 'x'.repeat(10), chainId: 1 })).toThrow(
      /malformed answer/,
    )
  })
})

import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { reportFigures } from './support/failoverRun.js'
import { runSentinelFailover } from './support/sentinelFailover.js'

/**
 * Redis under Sentinel, for real: a primary, a replica and three Sentinels (Debian's redis-server and
 * redis-sentinel); feecast processes (sampler, predictor, API) on a devchain under load; the primary
 * SIGKILLed (test/support/sentinelFailover.ts). Figures printed and saved (bench/failover.ts saves them
 * under bench/results); what must hold is asserted, timings are not.
 */
describe('Redis under Sentinel: SIGKILL of the primary under load', () => {
  it('one feecast: writes resume, no block missing or doubled, no calibration score lost or doubled', async () => {
    const run = await runSentinelFailover(1)
    const figures = {
      topology: 'Sentinel: 1 primary, 1 replica, 3 sentinels (down-after 1000 ms); 1 feecast (all roles)',
      writesResumeSeconds: run.writesResumeSeconds,
      answersDuringFailover: run.load.during,
      answersInAll: run.load.counts,
      ...run.figures,
    }
    reportFigures(join(tmpdir(), 'feecast-ha-sentinel.json'), 'Sentinel failover figures', figures)
    expect(run.primaryAfter).not.toBe(run.primaryBefore)
    expect(run.figures.to).toBe(run.chainHead)
    expect(run.figures.missing).toBe(0)
    expect(run.figures.duplicated).toBe(0)
    expect(run.figures.overwritten).toBe(0)
    expect(run.figures.scoresStored).toBeGreaterThan(0)
    expect(run.figures.scoresExported).toBe(run.figures.scoresStored)
    // The API answers from memory while Redis fails over: every request got an answer.
    expect(run.load.counts.error ?? 0).toBe(0)
    expect(Object.keys(run.load.counts).filter((s) => s.startsWith('5'))).toEqual([])
  }, 240_000)
})

describe('two API replicas and two samplers on one Sentinel set, through a failover', () => {
  it('loses, doubles and stale-overwrites no record, and both APIs serve the same head', async () => {
    const run = await runSentinelFailover(2)
    const figures = {
      topology:
        'Sentinel: 1 primary, 1 replica, 3 sentinels; 2 feecast processes (sampler + predictor + API each)',
      writesResumeSeconds: run.writesResumeSeconds,
      answersDuringFailover: run.load.during,
      answersInAll: run.load.counts,
      largestGapBetweenTheTwoApisServingABlockMs: run.apiSpreadMs,
      headsServedAtTheEnd: run.heads,
      ...run.figures,
    }
    reportFigures(
      join(tmpdir(), 'feecast-ha-sentinel-two.json'),
      'Two samplers and two APIs through a Sentinel failover',
      figures,
    )
    expect(run.primaryAfter).not.toBe(run.primaryBefore)
    expect(run.figures.to).toBe(run.chainHead)
    expect(run.figures.missing).toBe(0)
    expect(run.figures.duplicated).toBe(0)
    expect(run.figures.overwritten).toBe(0)
    expect(run.figures.scoresStored).toBeGreaterThan(0)
    expect(run.figures.scoresExported).toBe(run.figures.scoresStored)
    expect(run.load.counts.error ?? 0).toBe(0)
    expect(Object.keys(run.load.counts).filter((s) => s.startsWith('5'))).toEqual([])
    // Both APIs serve the chain's head once it stops moving.
    expect(run.heads).toEqual([run.chainHead, run.chainHead])
  }, 240_000)
})

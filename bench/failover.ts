/**
 * Failover benchmark (`npx tsx bench/failover.ts`; needs `npm run build`, redis-server and redis-sentinel):
 * the Sentinel failover of test/ha-sentinel.test.ts, `ROUNDS` times (default 3) with one feecast process
 * and with two, on real servers. Prints and writes bench/results/failover.json: seconds until writes
 * resume after the SIGKILL of the primary, API answers during the failover by status, blocks missing,
 * doubled and overwritten, calibration scores exported and stored, and (two processes) the largest gap
 * between the two APIs serving a block.
 */
import { writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runSentinelFailover } from '../test/support/sentinelFailover.js'

const here = dirname(fileURLToPath(import.meta.url))
const rounds = Number(process.env.ROUNDS ?? 3)

async function main() {
  const runs = []
  for (const feecasts of [1, 2])
    for (let round = 0; round < rounds; round++) {
      const run = await runSentinelFailover(feecasts)
      const row = {
        feecasts,
        round,
        writesResumeSeconds: run.writesResumeSeconds,
        answersDuringFailover: run.load.during,
        answersInAll: run.load.counts,
        missing: run.figures.missing,
        duplicated: run.figures.duplicated,
        overwritten: run.figures.overwritten,
        scoresExported: run.figures.scoresExported,
        scoresStored: run.figures.scoresStored,
        largestGapBetweenApisMs: run.apiSpreadMs,
      }
      process.stdout.write(`${JSON.stringify(row)}\n`)
      runs.push(row)
    }
  const figures = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    setup:
      'redis-server 7: 1 primary, 1 replica, 3 redis-sentinel (down-after 1000 ms, quorum 2); devchain 0.5 s blocks; feecast FEECAST_ROLE=all, LEASE_TTL_MS 2000; 8 request loops on /predict; primary SIGKILLed after 3 s',
    runs,
  }
  writeFileSync(join(here, 'results', 'failover.json'), `${JSON.stringify(figures, null, 2)}\n`)
}

await main()

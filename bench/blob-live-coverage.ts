/**
 * Live blob coverage on the devchain: the service's own path (devchain with its blob demand → sampler →
 * predictor with the shipped blob-fee model → the blob calibration state in Redis) run for a number of blocks,
 * then the realized coverage of maxFeePerBlobGas per regime, confidence and horizon read from the persisted
 * calibration state (every estimate scored against the exact blob base fees of the blocks that followed).
 * Calibration starts cold (the model card's priors). The base-fee side uses the random-walk forecaster: only
 * the blob figures are read here.
 *
 *   npx tsx bench/blob-live-coverage.ts [--blocks 1500] [--block-time 0.1] [--seed 1]
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { startDevchain } from '../src/devchain/startDevchain.js'
import { defaultBlobModelDir } from '../src/model/defaultModel.js'
import { loadBlobFeeModel } from '../src/model/loadBlobFeeModel.js'
import { randomWalkForecaster } from '../src/model/randomWalkForecaster.js'
import type { BlobCalibrationState } from '../src/predict/blobCalibration.js'
import { calibrationCoverage } from '../src/predict/calibration.js'
import { createPredictor } from '../src/predict/createPredictor.js'
import { createSampler } from '../src/sampler/createSampler.js'
import { storeKeys } from '../src/store/keys.js'
import { startTestRedis } from '../test/support/redis.js'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const { values } = parseArgs({
  options: {
    blocks: { type: 'string', default: '1500' },
    'block-time': { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
  },
})
const blocks = Number(values.blocks)
const blockTime = Number(values['block-time'])
const seed = Number(values.seed)

const redis = await startTestRedis()
const devchain = await startDevchain({ port: 0, blockTime, history: 300, seed })
const blobForecaster = await loadBlobFeeModel({ dir: defaultBlobModelDir })
const logger = pino({ level: 'silent' })
const predictor = createPredictor({
  chainId: devchain.chainId,
  redis: redis.client(),
  forecaster: randomWalkForecaster(),
  blobForecaster,
  logger,
})
let synced = false
const sampler = createSampler({
  chainId: devchain.chainId,
  redis: redis.client(),
  rpcUrls: [devchain.url],
  historyBlocks: 300,
  maxStoredBlocks: 10_000,
  backfillFullBlocks: 300,
  pollIntervalMs: 50,
  leaseTtlMs: 5000,
  logger,
  onRecord: (_record, { kind }) => kind !== 'backfill' && predictor.notify(),
  onEvent: (event) => {
    if (event.type === 'synced') {
      synced = true
      predictor.notify()
    }
  },
})
const started = Date.now()
await sampler.start()
while (!synced) await new Promise((r) => setTimeout(r, 200))
const first = devchain.head()
let last = first
while (devchain.head() - first < blocks) {
  await new Promise((r) => setTimeout(r, 2000))
  if (devchain.head() - last >= 250 || devchain.head() - first >= blocks) {
    last = devchain.head()
    process.stderr.write(`blob live coverage: ${last - first} / ${blocks} blocks\n`)
  }
}
await sampler.stop()
await predictor.stop()
const state = JSON.parse(
  (await redis.client().get(storeKeys(devchain.chainId).blobCalibration))!,
) as BlobCalibrationState
await devchain.stop()
await redis.stop()

const rows = (['priced', 'floor'] as const).flatMap((regime) =>
  calibrationCoverage(state[regime])
    .filter((r) => r.scored > 0)
    .map((r) => ({
      regime,
      confidence: r.confidence,
      withinBlocks: r.withinBlocks,
      scored: r.scored,
      coverage: r.coverage === null ? null : Math.round(r.coverage * 10_000) / 100,
      recentCoverage: r.recentCoverage === null ? null : Math.round(r.recentCoverage * 10_000) / 100,
    })),
)
for (const r of rows)
  console.log(
    `${r.regime.padEnd(6)} p=${r.confidence} N=${String(r.withinBlocks).padStart(2)}: coverage ${r.coverage}% over ${r.scored} scored (recent ${r.recentCoverage}%)`,
  )
const result = {
  blocks,
  blockTime,
  seed,
  backend: blobForecaster.backend,
  model: blobForecaster.version,
  seconds: Math.round((Date.now() - started) / 1000),
  rows,
}
await mkdir(join(root, 'bench/results'), { recursive: true })
await writeFile(join(root, 'bench/results/blob-live-coverage.json'), `${JSON.stringify(result, null, 1)}\n`)

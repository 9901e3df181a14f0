/**
 * The honest measure of the predictor: leave-one-file-out. For each history file, a model trained on all
 * the other files walks forward through it (only the past known at each block; every outcome learned by
 * the online calibration N blocks later), beside the baselines. Pooled and per-file figures go to
 * bench/results/predictor-backtest.json, the reliability diagram to bench/results/predictor-reliability.svg.
 *
 *   npx tsx bench/predictor-backtest.ts [--data <dir>] [--epochs 30] [--models <dir> (reuse/save fold models)]
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { formatGrid } from '../src/backtest/formatRows.js'
import { reliabilitySvg } from '../src/backtest/reliabilitySvg.js'
import { type BacktestRow, type CellOutcome, summarize, walkForward } from '../src/backtest/walkForward.js'
import { fitFeeModel } from '../src/model/fitFeeModel.js'
import { type FeeModel, loadFeeModel } from '../src/model/loadFeeModel.js'
import { readSources } from '../src/model/readSources.js'
import { saveFeeModel } from '../src/model/saveFeeModel.js'
import { loadTf } from '../src/model/tfRuntime.js'
import { withCalibrationPrior } from '../src/predict/calibrationPrior.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(root, '../shared/data/blocks') },
    epochs: { type: 'string', default: '30' },
    models: { type: 'string' },
  },
})
const log = (line: string) => process.stderr.write(`${line}\n`)

const files = (await readdir(values.data!)).filter((f) => f.endsWith('.csv')).sort()
const sources = await readSources(files.map((f) => join(values.data!, f)))
const runtime = await loadTf()
log(`leave-one-file-out over ${sources.length} files, TF.js backend ${runtime.backend}`)

const confidences = [50, 60, 70, 80, 90, 95, 97.5, 99, 99.5]
const horizons = [3, 5, 10, 20]
const cells: CellOutcome[] = []
const folds: { heldOut: string; trainSeconds: number | null; bestEpoch: number | null; decisions: number }[] =
  []
for (const heldOut of sources) {
  const started = performance.now()
  const dir = values.models ? join(values.models, heldOut.name) : null
  let model: FeeModel
  let bestEpoch: number | null = null
  let trainSeconds: number | null = null
  if (dir && existsSync(join(dir, 'scaling.json'))) {
    model = await loadFeeModel({ dir })
    log(`${heldOut.name}: reusing ${dir}`)
  } else {
    const fit = withCalibrationPrior(
      await fitFeeModel({
        runtime,
        sources: sources.filter((s) => s !== heldOut),
        version: `loo-${heldOut.name}`,
        epochs: Number(values.epochs),
      }),
    )
    model = fit.model
    bestEpoch = fit.training.bestEpoch
    trainSeconds = (performance.now() - started) / 1000
    if (dir) await saveFeeModel({ runtime, tfModel: fit.training.model, meta: fit.meta, dir })
    log(
      `${heldOut.name}: trained on the other ${sources.length - 1} files in ${trainSeconds.toFixed(0)} s (best epoch ${bestEpoch})`,
    )
  }
  const result = walkForward({
    sources: [heldOut],
    forecaster: model,
    confidences,
    horizons,
    includeUncalibrated: true,
  })
  cells.push(...result.cells)
  folds.push({ heldOut: heldOut.name, trainSeconds, bestEpoch, decisions: result.decisions })
}

const main = (rows: BacktestRow[]) =>
  rows.filter(
    (r) =>
      r.predictor !== 'feecast-uncalibrated' &&
      (r.confidence === null || [50, 70, 90, 95, 99].includes(r.confidence)),
  )
const pooled = summarize(cells)
const perFile = Object.fromEntries(
  sources.map((s) => [s.name, main(summarize(cells, (name) => name === s.name))]),
)
// Post-merge-like regimes (12 s slots, calm demand): what most windows look like today.
const recent = ['eth-2022-12-calm', 'eth-2025-11-lowfee', 'eth-2026-02-gasused']
const recentRows = main(summarize(cells, (name) => recent.includes(name)))

const check = (rows: BacktestRow[]) =>
  rows
    .filter((r) => r.predictor === 'feecast' && [50, 70, 90, 95, 99].includes(r.confidence!))
    .map((r) => ({
      confidence: r.confidence,
      withinBlocks: r.withinBlocks,
      ok: r.confidence === 99 ? r.coverage >= 0.985 : Math.abs(r.coverage * 100 - r.confidence!) <= 1.5,
    }))

await mkdir(join(root, 'bench/results'), { recursive: true })
await writeFile(
  join(root, 'bench/results/predictor-backtest.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      command: 'npx tsx bench/predictor-backtest.ts',
      backend: runtime.backend,
      files: sources.map((s) => ({ name: s.name, rows: s.rows, sha256: s.sha256 })),
      folds,
      rows: main(pooled),
      reliability: pooled.filter((r) => r.confidence !== null),
      recent: { files: recent, rows: recentRows },
      perFile,
      targets: check(pooled),
    },
    null,
    1,
  )}\n`,
)
await writeFile(
  join(root, 'bench/results/predictor-reliability.svg'),
  reliabilitySvg({
    rows: pooled,
    compare: 'feecast-uncalibrated',
    title: 'maxFee reliability, leave-one-file-out',
  }),
)
console.log('Pooled over all held-out files (coverage / median headroom):\n')
console.log(formatGrid(main(pooled)))
console.log(`\nPost-merge-like files only (${recent.join(', ')}):\n`)
console.log(formatGrid(recentRows))
console.log('\nPer file, feecast at p = 99, N = 10 and ethers:')
for (const s of sources) {
  const r = perFile[s.name]!.find(
    (x) => x.predictor === 'feecast' && x.confidence === 99 && x.withinBlocks === 10,
  )
  const e = perFile[s.name]!.find((x) => x.predictor === 'ethers' && x.withinBlocks === 10)
  if (r && e)
    console.log(
      `  ${s.name.padEnd(24)} feecast ${(r.coverage * 100).toFixed(1)}% / ${(r.medianHeadroom * 100).toFixed(1)}%   ethers ${(e.coverage * 100).toFixed(1)}% / ${(e.medianHeadroom * 100).toFixed(1)}%   (${r.samples} blocks)`,
    )
}
const failed = check(pooled).filter((c) => !c.ok)
console.log(
  `\nCalibration targets (pooled): ${failed.length === 0 ? 'all met' : `missed at ${failed.map((f) => `p=${f.confidence}/N=${f.withinBlocks}`).join(', ')}`}`,
)
console.log('wrote bench/results/predictor-backtest.json and bench/results/predictor-reliability.svg')

/**
 * The honest measure of the blob-fee predictor: leave-one-file-out over the shared blob files. For each file,
 * a blob model trained on the other files walks forward through it (the model batched over the window, the
 * online calibration learning each outcome N blocks later, cold at the file's start), beside blob-1x and
 * blob-2x. Pooled and per-file figures, over priced decisions (next blob fee >= 1000 wei) and over all of
 * them, go to bench/results/blob-backtest.json; the reliability diagram to bench/results/blob-reliability.svg.
 *
 *   npx tsx bench/blob-backtest.ts [--data <dir>] [--epochs 6] [--stride 5] [--models <dir> (reuse/save fold models)]
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  type AllDecisionsOutcome,
  type BlobBacktestRow,
  blobWalkForward,
  withAllDecisions,
} from '../src/backtest/blobWalkForward.js'
import { formatGrid } from '../src/backtest/formatRows.js'
import { reliabilitySvg } from '../src/backtest/reliabilitySvg.js'
import { type CellOutcome, summarize } from '../src/backtest/walkForward.js'
import { mainnetBlobSchedule } from '../src/chains/blobSchedule.js'
import { fitBlobModel } from '../src/model/fitBlobModel.js'
import { type BlobFeeModel, loadBlobFeeModel } from '../src/model/loadBlobFeeModel.js'
import { readBlobSources } from '../src/model/readBlobSources.js'
import { saveFeeModel } from '../src/model/saveFeeModel.js'
import { loadTf } from '../src/model/tfRuntime.js'
import { withBlobCalibrationPriors } from '../src/predict/blobCalibrationPriors.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(root, '../shared/data/blobs') },
    epochs: { type: 'string', default: '6' },
    stride: { type: 'string', default: '5' },
    models: { type: 'string' },
  },
})
const log = (line: string) => process.stderr.write(`${line}\n`)

if (!existsSync(values.data!)) {
  log(`*** ${values.data} is missing: the blob backtest needs the shared blob files. Nothing measured. ***`)
  process.exit(2)
}
const files = (await readdir(values.data!)).filter((f) => f.endsWith('.csv')).sort()
const sources = await readBlobSources({
  paths: files.map((f) => join(values.data!, f)),
  schedule: mainnetBlobSchedule,
  onFile: (name, rows) => log(`read ${name}: ${rows} rows`),
})
const runtime = await loadTf()
log(`leave-one-file-out over ${sources.length} blob files, TF.js backend ${runtime.backend}`)

const confidences = [50, 60, 70, 80, 90, 95, 97.5, 99, 99.5]
const horizons = [3, 5, 10, 20]
const cells: CellOutcome[] = []
const all: AllDecisionsOutcome[] = []
const folds: {
  heldOut: string
  trainSeconds: number | null
  bestEpoch: number | null
  walkSeconds: number
  blocks: number
  decisions: number
  pricedDecisions: number
}[] = []
for (const heldOut of sources) {
  const started = performance.now()
  const dir = values.models ? join(values.models, heldOut.name) : null
  let model: BlobFeeModel
  let bestEpoch: number | null = null
  let trainSeconds: number | null = null
  if (dir && existsSync(join(dir, 'scaling.json'))) {
    model = await loadBlobFeeModel({ dir })
    log(`${heldOut.name}: reusing ${dir}`)
  } else {
    const fit = withBlobCalibrationPriors(
      await fitBlobModel({
        runtime,
        sources: sources.filter((s) => s !== heldOut),
        version: `loo-${heldOut.name}`,
        epochs: Number(values.epochs),
        stride: Number(values.stride),
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
  const walkStarted = performance.now()
  const result = blobWalkForward({
    sources: [heldOut],
    forecaster: model,
    schedule: mainnetBlobSchedule,
    confidences,
    horizons,
    includeUncalibrated: true,
  })
  const walkSeconds = (performance.now() - walkStarted) / 1000
  cells.push(...result.cells)
  all.push(...result.all)
  const blocks = heldOut.series.reduce((n, s) => n + s.length, 0)
  folds.push({
    heldOut: heldOut.name,
    trainSeconds,
    bestEpoch,
    walkSeconds,
    blocks,
    decisions: result.decisions,
    pricedDecisions: result.pricedDecisions,
  })
  log(
    `${heldOut.name}: walked ${blocks} blocks in ${walkSeconds.toFixed(0)} s (${result.pricedDecisions} priced of ${result.decisions} decisions)`,
  )
}

const levels = [50, 70, 90, 95, 99]
const main = (rows: BlobBacktestRow[]) =>
  rows.filter(
    (r) => r.predictor !== 'feecast-uncalibrated' && (r.confidence === null || levels.includes(r.confidence)),
  )
const rowsOf = (filter?: (name: string) => boolean) => withAllDecisions(summarize(cells, filter), all, filter)
const pooled = rowsOf()
const perFile = Object.fromEntries(sources.map((s) => [s.name, main(rowsOf((name) => name === s.name))]))

/** The issue's calibration targets, cell by cell. */
const calibrationTargets = (rows: BlobBacktestRow[]) =>
  rows
    .filter((r) => r.predictor === 'feecast' && levels.includes(r.confidence ?? -1))
    .map((r) => {
      const p = r.confidence ?? 0
      const priced = p === 99 ? r.coverage >= 0.985 : Math.abs(r.coverage * 100 - p) <= 1.5
      const everyDecision = r.coverageAll * 100 >= p - 1.5
      return {
        confidence: p,
        withinBlocks: r.withinBlocks,
        coverage: r.coverage,
        coverageAll: r.coverageAll,
        ok: priced && everyDecision,
      }
    })
/** Efficiency at p = 99, N = 10 against blob-2x, per window. */
const efficiency = Object.fromEntries(
  Object.entries(perFile).map(([name, rows]) => {
    const f = rows.find((r) => r.predictor === 'feecast' && r.confidence === 99 && r.withinBlocks === 10)
    const b = rows.find((r) => r.predictor === 'blob-2x' && r.withinBlocks === 10)
    const spike = (b?.coverage ?? 0) < 0.99
    return [
      name,
      {
        feecast: { coverage: f?.coverage, medianHeadroom: f?.medianHeadroom },
        blob2x: { coverage: b?.coverage, medianHeadroom: b?.medianHeadroom },
        rule: spike
          ? 'blob-2x covers < 99 %: feecast must cover >= 98.5 %'
          : 'feecast headroom below blob-2x',
        ok: spike
          ? (f?.coverage ?? 0) >= 0.985
          : (f?.medianHeadroom ?? Number.POSITIVE_INFINITY) < (b?.medianHeadroom ?? 0),
      },
    ]
  }),
)
const perFileTargets = Object.fromEntries(
  sources.map((s) => [s.name, calibrationTargets(rowsOf((name) => name === s.name))]),
)

await mkdir(join(root, 'bench/results'), { recursive: true })
await writeFile(
  join(root, 'bench/results/blob-backtest.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      command: `npx tsx bench/blob-backtest.ts --epochs ${values.epochs} --stride ${values.stride}`,
      backend: runtime.backend,
      note: 'coverage/medianHeadroom/samples over priced decisions (next blob base fee >= 1000 wei); coverageAll/samplesAll over every decision',
      files: sources.map((s) => ({ name: s.name, rows: s.rows, sha256: s.sha256 })),
      folds,
      rows: main(pooled),
      reliability: pooled.filter((r) => r.confidence !== null),
      perFile,
      targets: { pooled: calibrationTargets(pooled), perFile: perFileTargets, efficiency },
    },
    null,
    1,
  )}\n`,
)
await writeFile(
  join(root, 'bench/results/blob-reliability.svg'),
  reliabilitySvg({
    rows: pooled,
    compare: 'feecast-uncalibrated',
    title: 'maxFeePerBlobGas reliability, leave-one-file-out, priced',
  }),
)
console.log('Pooled over all held-out files, priced decisions (coverage / median headroom):\n')
console.log(formatGrid(main(pooled)))
console.log('\nEvery decision (coverage), feecast:')
for (const r of main(pooled).filter((x) => x.predictor === 'feecast'))
  console.log(
    `  p=${r.confidence} N=${r.withinBlocks}: ${(r.coverageAll * 100).toFixed(2)}% of ${r.samplesAll}`,
  )
console.log('\nPer file, p = 99, N = 10 against blob-2x:')
for (const [name, e] of Object.entries(efficiency))
  console.log(
    `  ${name.padEnd(32)} feecast ${pct(e.feecast.coverage)} / ${pct(e.feecast.medianHeadroom)}   blob-2x ${pct(e.blob2x.coverage)} / ${pct(e.blob2x.medianHeadroom)}   ${e.ok ? 'ok' : 'MISSED'} (${e.rule})`,
  )
const missed = (targets: ReturnType<typeof calibrationTargets>) =>
  targets.filter((t) => !t.ok).map((t) => `p=${t.confidence}/N=${t.withinBlocks}`)
console.log(`\nCalibration targets pooled: ${missed(calibrationTargets(pooled)).join(', ') || 'all met'}`)
for (const [name, targets] of Object.entries(perFileTargets))
  console.log(`  ${name}: ${missed(targets).join(', ') || 'all met'}`)
console.log('wrote bench/results/blob-backtest.json and bench/results/blob-reliability.svg')

function pct(x: number | undefined) {
  return x === undefined ? '–' : `${(x * 100).toFixed(1)}%`
}

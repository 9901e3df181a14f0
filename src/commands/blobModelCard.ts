import type { BlobBacktestRow } from '../backtest/blobWalkForward.js'
import { formatGrid } from '../backtest/formatRows.js'
import { blobFeatureNames } from '../features/blobFeatureNames.js'
import type { ModelMeta } from '../model/modelFiles.js'
import { headlineRows } from './modelCard.js'

/** What `bench/blob-backtest.ts` saves (bench/results/blob-backtest.json), as far as the card reads it. */
export type BlobLeaveOneOutFigures = {
  date?: string
  command?: string
  rows: BlobBacktestRow[]
  perFile?: Record<string, BlobBacktestRow[]>
  folds?: { heldOut: string; trainSeconds: number | null; walkSeconds: number; blocks: number }[]
  targets?: {
    pooled?: { confidence: number; withinBlocks: number; ok: boolean }[]
    perFile?: Record<string, { confidence: number; withinBlocks: number; ok: boolean }[]>
    efficiency?: Record<string, { ok: boolean; rule: string }>
  }
}

export type BlobModelCardParameters = {
  meta: ModelMeta
  files: readonly { path: string; rows: number; sha256: string }[]
  schedule: string
  examples: { train: number; validation: number }
  bestEpoch: number
  epochsRun: number
  validationShare: number
  stride: number
  trainSeconds: number
  backend: string
  /** Held-out tails of every file (walk-forward, calibration cold). */
  rows: readonly BlobBacktestRow[]
  looFigures?: BlobLeaveOneOutFigures | undefined
}

const levels = [50, 70, 90, 95, 99]
const pct = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)}%`

/** Every-decision coverage of feecast, one line per confidence, one column per horizon. */
function allDecisionsTable(rows: readonly BlobBacktestRow[]): string {
  const feecast = rows.filter((r) => r.predictor === 'feecast' && levels.includes(r.confidence ?? -1))
  const horizons = [...new Set(feecast.map((r) => r.withinBlocks))].sort((a, b) => a - b)
  const lines = levels.map(
    (p) =>
      `| ${p} | ${horizons
        .map((n) => pct(feecast.find((r) => r.confidence === p && r.withinBlocks === n)?.coverageAll))
        .join(' | ')} |`,
  )
  return [
    `| p | ${horizons.map((n) => `N=${n}`).join(' | ')} |`,
    `|---|${horizons.map(() => '---:').join('|')}|`,
    ...lines,
  ].join('\n')
}

function looSection(figures: BlobLeaveOneOutFigures): string {
  const at9910 = (rows: readonly BlobBacktestRow[], predictor: string) =>
    rows.find(
      (r) =>
        r.predictor === predictor && r.withinBlocks === 10 && (r.confidence === 99 || r.confidence === null),
    )
  const perFile = Object.entries(figures.perFile ?? {})
  const missed = (targets: { confidence: number; withinBlocks: number; ok: boolean }[] | undefined) =>
    (targets ?? []).filter((t) => !t.ok).map((t) => `p=${t.confidence}/N=${t.withinBlocks}`)
  return `
## Leave-one-file-out backtest (the honest figures)

From \`${figures.command ?? 'npx tsx bench/blob-backtest.ts'}\` (${figures.date ?? 'date unknown'}): for each file, a model trained
on the *other* files walks forward through it, calibration starting cold from that model's priors. Priced decisions
(next blob base fee >= 1000 wei), pooled over the files (\`bench/results/blob-backtest.json\`, reliability diagram
\`bench/results/blob-reliability.svg\`):

${formatGrid(headlineRows(figures.rows), { markdown: true })}

Every decision (the floor regime included), feecast's coverage:

${allDecisionsTable(figures.rows)}
${
  perFile.length > 0
    ? `
Per held-out file at p = 99, N = 10 (priced coverage / median headroom), beside blob-2x:

| file | feecast | blob-2x | blob-1x | efficiency target | calibration cells missed |
|---|---:|---:|---:|---|---|
${perFile
  .map(([name, rows]) => {
    const f = at9910(rows, 'feecast')
    const two = at9910(rows, 'blob-2x')
    const one = at9910(rows, 'blob-1x')
    const efficiency = figures.targets?.efficiency?.[name]
    return `| ${name} | ${pct(f?.coverage)} / ${pct(f?.medianHeadroom)} | ${pct(two?.coverage)} / ${pct(two?.medianHeadroom)} | ${pct(one?.coverage)} / ${pct(one?.medianHeadroom)} | ${efficiency ? `${efficiency.ok ? 'met' : 'missed'} (${efficiency.rule})` : '–'} | ${missed(figures.targets?.perFile?.[name]).join(', ') || 'none'} |`
  })
  .join('\n')}
`
    : ''
}`
}

/**
 * models/<name>/README.md of a blob model: what it is, what it was trained on, how, and how well it does.
 * Longer than 60 lines because it is one Markdown template, read top to bottom like the card it writes;
 * cut into functions, the card's prose would be scattered (its computed parts are the functions above).
 */
export function blobModelCardText(p: BlobModelCardParameters): string {
  const { meta } = p
  const main = headlineRows(p.rows)
  return `# ${meta.version}: blob base-fee quantiles for maxFeePerBlobGas

A TF.js dense network that, from the last 256 blocks of a blob-carrying chain (fewer is fine), predicts quantiles of

- **runMax**: log(max blob base fee of blocks t+1..t+N / the blob base fee of t+1) for N = ${meta.layout.horizons[0]}..${meta.layout.horizons.at(-1)} at levels ${meta.layout.runMaxLevels.map((l) => l * 100).join(', ')} %:
  what maxFeePerBlobGas must clear to stay at or above the blob base fee of each of the next N blocks;
- **marginal**: log(blob base fee k blocks ahead / that of t+1) for k = ${meta.layout.horizons[0]}..${meta.layout.horizons.at(-1)} at levels ${meta.layout.marginalLevels.map((l) => l * 100).join(', ')} %: the blob base-fee forecast.

The next block's blob base fee is exact (its excess blob gas is fixed by the head's header; EIP-4844, EIP-7691,
EIP-7918, the BPO forks), so everything is relative to it and N = 1 needs no model. Log blob fees are excess blob gas
over the fork's update fraction; outputs are in units of the largest one-block rise of the pending block's fork
((max - target) blobs of excess: log 1.125 in Cancun, log 1.082 from Prague on), so a fork with other parameters
(BPO2: 14 / 21 blobs) reads on the same scale. Inputs (${blobFeatureNames.length}, all scale-free: usage relative to the fork's
target and max, fee moves in those units, shares of full, empty and above-target blocks, of transitions on EIP-7918's
reserve branch and of blocks at the 1-wei floor; no fee level and no blob count):
${blobFeatureNames.map((n) => `\`${n}\``).join(', ')}. Inputs are clamped into the range they had in training
(scaling.json \`featureRange\`): the network has no learned answer outside it.

A cap is maxFeePerBlobGas = fake_exponential(next excess blob gas + θ · update fraction), θ the calibrated
threshold, so it holds whenever the excess stays under that line, EIP-4844's integer floors included, and never
exceeds the worst case (N - 1 full blocks). The online calibration is \`src/predict/calibration.ts\` (adaptive
conformal inference per horizon and confidence), one state per regime: **priced** decisions (next blob base fee
>= 1000 wei) and the **floor** regime near EIP-4844's 1-wei minimum, where a wei is a large step and the excess is
clamped at zero. Each starts from the \`calibrationPriors\` in scaling.json. This is coverage of the fee cap, not a
probability that a blob transaction is included.

## Files

- \`model.json\`, \`weights.bin\`: TF.js layers model (loads with tfjs-node or tfjs + wasm).
- \`scaling.json\`: feature names, means, standard deviations and trained ranges, output layout, calibration priors
  by regime, training record.
- \`reliability.svg\`: stated confidence against realised coverage on the held-out tails, priced decisions (solid:
  calibrated; dashed: raw model).

## Training

\`\`\`
${meta.training.command}
\`\`\`

Blob schedule: ${p.schedule}. Every blob transition of every file was checked against it.

| file | rows | sha256 |
|---|---:|---|
${p.files.map((f) => `| ${f.path} | ${f.rows} | \`${f.sha256.slice(0, 16)}…\` |`).join('\n')}

Examples: one every ${p.stride} blocks from the first block of each run to the last with ${meta.layout.horizons.at(-1)} known future blocks
(neighbouring windows overlap in all but a block). Split by time: the last ${Math.round(p.validationShare * 100)} % of each file validates
(training examples whose future reaches into it are dropped). ${p.examples.train} training and ${p.examples.validation} validation
examples; files weighted by the square root of their size. Adam with cosine decay, weight decay, best validation epoch
${p.bestEpoch} of ${p.epochsRun}; training ${p.trainSeconds.toFixed(0)} s on the ${p.backend} backend.

## Backtest on the held-out tails

Walk-forward over the held-out last ${Math.round(p.validationShare * 100)} % of every file, calibration started cold (its priors were fitted on these
tails). Priced decisions; coverage: share where maxFeePerBlobGas >= every blob base fee of the next N blocks; headroom:
median of maxFeePerBlobGas / that max - 1. blob-1x is the exact next blob base fee (what most clients send), blob-2x
twice it.

${formatGrid(main, { markdown: true })}

Every decision, feecast's coverage:

${allDecisionsTable(p.rows)}

![reliability](reliability.svg)
${p.looFigures ? looSection(p.looFigures) : '\n(Run `npx tsx bench/blob-backtest.ts` and train with `--loo bench/results/blob-backtest.json` for the leave-one-file-out figures.)\n'}
## Limits

- Four windows of Ethereum mainnet, 2024-03 to 2025-12: the Dencun launch and blobscriptions, a congested December
  2024, the Pectra activation, Fusaka (EIP-7918's reserve price) and BPO1. Later forks (BPO2: 14 / 21 blobs) read in
  their own units; regimes and spikes not in these windows are what the online calibration is for, and it needs a few
  hundred blocks to settle after a change.
- The history files have no execution base fee, so under EIP-7918 the model reads the reserve price only from past
  transitions (which branch each one took), not from the base fee itself.
- Blob demand comes from a handful of rollups and moves in regimes and sudden spikes: the 99 % levels pay for those.
`
}

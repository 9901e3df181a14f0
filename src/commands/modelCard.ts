import { formatGrid } from '../backtest/formatRows.js'
import type { BacktestRow } from '../backtest/walkForward.js'
import { featureNames } from '../features/featureNames.js'
import type { ModelMeta } from '../model/modelFiles.js'

/** What `bench/predictor-backtest.ts` saves (bench/results/predictor-backtest.json), as far as the card reads it. */
export type LeaveOneOutFigures = {
  date?: string
  rows: BacktestRow[]
  recent?: { files: string[]; rows: BacktestRow[] }
  perFile?: Record<string, BacktestRow[]>
}

export type ModelCardParameters = {
  meta: ModelMeta
  files: readonly { path: string; rows: number; sha256: string }[]
  examples: { train: number; validation: number }
  bestEpoch: number
  epochsRun: number
  validationShare: number
  trainSeconds: number
  backend: string
  /** Held-out tails of every file (walk-forward, calibration cold). */
  rows: readonly BacktestRow[]
  /** Leave-one-file-out figures (`feecast train --loo FILE`): the card says how to get them when absent. */
  looFigures?: LeaveOneOutFigures | undefined
}

const levels = [50, 70, 90, 95, 99]

/** The rows a card and the train command show: the five levels a prediction carries, without the raw model. */
export const headlineRows = <T extends BacktestRow>(rows: readonly T[]): T[] =>
  rows.filter(
    (r) => r.predictor !== 'feecast-uncalibrated' && (r.confidence === null || levels.includes(r.confidence)),
  )
const pct = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(1)}%`)
const five = (rows: readonly BacktestRow[]) =>
  rows.filter((r) => r.confidence === null || levels.includes(r.confidence))
const at9910 = (rows: readonly BacktestRow[], predictor: string) =>
  rows.find(
    (r) =>
      r.predictor === predictor && r.withinBlocks === 10 && (r.confidence === 99 || r.confidence === null),
  )

function looSection(saved: LeaveOneOutFigures): string {
  return `
## Leave-one-file-out backtest (the honest figures)

From \`bench/predictor-backtest.ts\` (${saved.date ?? 'date unknown'}): for each file, a model trained on all the
*other* files is walked forward through it with online calibration starting from that model's prior. Pooled over
all files (see \`bench/results/predictor-backtest.json\` and \`bench/results/predictor-reliability.svg\`):

${formatGrid(five(saved.rows), { markdown: true })}
${
  saved.recent
    ? `
Post-merge-like windows only (${saved.recent.files.join(', ')}; 12 s slots, calmer demand: what most windows look like today):

${formatGrid(five(saved.recent.rows), { markdown: true })}
`
    : ''
}${
  saved.perFile
    ? `
Per held-out file at p = 99, N = 10 (coverage / median headroom), beside ethers' 2x:

| file | feecast | ethers | blocks |
|---|---:|---:|---:|
${Object.entries(saved.perFile)
  .map(([name, rows]) => {
    const f = at9910(rows, 'feecast')
    const e = at9910(rows, 'ethers')
    return `| ${name} | ${pct(f?.coverage)} / ${pct(f?.medianHeadroom)} | ${pct(e?.coverage)} / ${pct(e?.medianHeadroom)} | ${f?.samples ?? 0} |`
  })
  .join('\n')}
`
    : ''
}`
}

/**
 * models/<name>/README.md: what the model is, what it was trained on, how, and how well it does.
 * Longer than 60 lines because it is one Markdown template, read top to bottom like the card it writes;
 * cut into functions, the card's prose would be scattered (its computed parts are the functions above).
 */
export function modelCardText({
  meta,
  files,
  examples,
  bestEpoch,
  epochsRun,
  validationShare,
  trainSeconds,
  backend,
  rows,
  looFigures,
}: ModelCardParameters): string {
  const main = headlineRows(rows)
  const loo = looFigures
    ? looSection(looFigures)
    : '\n(Run `npx tsx bench/predictor-backtest.ts` and train with `--loo bench/results/predictor-backtest.json` for the leave-one-file-out figures.)\n'
  return `# ${meta.version}: base-fee quantiles for maxFeePerGas

A TF.js dense network that, from the last ${256} blocks of a chain (fewer is fine), predicts quantiles of

- **runMax** — log(max(b[t+1..t+N]) / b[t+1]) for N = ${meta.layout.horizons[0]}..${meta.layout.horizons.at(-1)} at levels ${meta.layout.runMaxLevels.map((l) => l * 100).join(', ')} %:
  what maxFeePerGas must clear to stay includable in each of the next N blocks;
- **marginal** — log(b[t+k] / b[t+1]) for k = ${meta.layout.horizons[0]}..${meta.layout.horizons.at(-1)} at levels ${meta.layout.marginalLevels.map((l) => l * 100).join(', ')} %: the base-fee forecast.

b[t+1], the next block's base fee, is exact (EIP-1559), so everything is relative to it and N = 1 needs no model.
Outputs are in units of the chain's largest one-block step (log 1.125 on Ethereum) and cannot cross: the running-max
quantiles are double cumulative sums of softplus terms (rising in level and in N), the marginal ones cumulative in
level. Trained with pinball loss. Inputs (${featureNames.length}, all scale-free: no fee level, which differs 20000x between eras):
${featureNames.map((n) => `\`${n}\``).join(', ')}.

Predictions go through the online calibration of \`src/predict/calibration.ts\` (adaptive conformal inference on the
normal-score scale per horizon and confidence), which starts from \`calibrationPrior\` in scaling.json: the level
shifts the model needed on its held-out validation blocks. Levels shifted above the top one (99.5 %) follow the
model's own upper tail, so a calm decision widens little and a volatile one much; a new chain's state adds a
model-free floor toward the worst case that fades as its own outcomes arrive.

## Files

- \`model.json\`, \`weights.bin\`: TF.js layers model (tfjs-node's file format; loads with tfjs-node or tfjs + wasm).
- \`scaling.json\`: feature names, means and standard deviations, output layout, calibration prior, training record.
- \`reliability.svg\`: stated confidence against realised coverage on the held-out tails (solid: calibrated; dashed: raw model).

## Training

\`\`\`
${meta.training.command}
\`\`\`

| file | rows | sha256 |
|---|---:|---|
${files.map((f) => `| ${f.path} | ${f.rows} | \`${f.sha256.slice(0, 16)}…\` |`).join('\n')}

Examples: one per block from the first block of each run (no history) to the last with ${meta.layout.horizons.at(-1)} known future
blocks; one-block holes are bridged exactly from the parent's gas used. Split by time: the last ${Math.round(validationShare * 100)} % of each
file's blocks validate (training examples whose future reaches into them are dropped). ${examples.train} training and
${examples.validation} validation examples; files weighted by the square root of their size. Adam with cosine decay,
weight decay, best validation epoch ${bestEpoch} of ${epochsRun}; ${trainSeconds.toFixed(0)} s on the ${backend} backend.

## Backtest on the held-out tails

Walk-forward over every file, scoring only decisions in the held-out last ${Math.round(validationShare * 100)} % (calibration started cold,
because its prior was fitted on these tails). Coverage: share of decisions where maxFee >= every base fee of the next N
blocks; headroom: median of maxFee / that max - 1. Baselines multiply the latest base fee.

${formatGrid(main, { markdown: true })}

![reliability](reliability.svg)
${loo}
## Limits

- Trained on Ethereum mainnet windows of 2022 (proof-of-work, volatile), late 2022, 2025 and 2026. Other chains read in
  their own step units, but their demand may behave differently: the online calibration is what makes the stated
  probabilities hold there, and it needs a few hundred blocks to settle.
- Proof-of-work windows (2022) move almost like a random walk: one-block steps have no usable autocorrelation and
  little volatility clustering, so the 99 % level over 10 blocks cannot be much sharper than the window's own
  unconditional quantile. Even in hindsight, each file's exact 99 % quantile of the 10-block rise gives a pooled
  median headroom of 50.4 % on these files (46-74 % on the 2022 ones); post-merge windows are much tighter.
- The base fee only: the tip is a separate model. Fee spikes that start without warning in the fee history (a
  mint, a liquidation wave) are what the 99 % levels pay for.
`
}

/** models/<name>/backtest.json: what the live page draws beside the live reliability. */
export type ModelBacktestFile = {
  format: 'feecast-backtest'
  model: string
  /** How the figures were made. */
  method: string
  rows: Array<{ confidence: number; withinBlocks: number; coverage: number; samples: number }>
}

/** The calibrated predictor's rows at the levels a prediction carries, as the live page reads them. */
export function modelBacktestFile(model: string, rows: readonly BacktestRow[]): ModelBacktestFile {
  return {
    format: 'feecast-backtest',
    model,
    method:
      'walk-forward over the held-out tail of every training file (blocks training never saw), calibration starting cold',
    rows: headlineRows(rows)
      .filter((r) => r.predictor === 'feecast' && r.confidence !== null)
      .map((r) => ({
        confidence: r.confidence as number,
        withinBlocks: r.withinBlocks,
        coverage: r.coverage,
        samples: r.samples,
      })),
  }
}

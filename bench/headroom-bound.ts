/**
 * How low can the p = 99, N = 10 headroom go on these files? A hindsight bound for issue 3's efficiency
 * target: for each history file, the exact 99 % quantile of its own 10-block rise, max(b[t+1..t+10]) /
 * b[t+1], known in advance and used as a fixed multiplier on the exact next base fee. That covers 99 % of
 * the file's decisions by construction; its median headroom is what an unconditional predictor with
 * perfect knowledge of the window would need. A conditional model can beat it only as far as the fee
 * history predicts its own rises (on the 2022 proof-of-work files, hardly).
 *
 *   npx tsx bench/headroom-bound.ts [--data <dir>]   -> bench/results/headroom-bound.json
 */
import { readdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { readSources } from '../src/model/readSources.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: { data: { type: 'string', default: resolve(root, '../shared/data/blocks') } },
})
const withinBlocks = 10
const confidence = 0.99

const upperQuantile = (xs: readonly number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

const files = (await readdir(values.data!)).filter((f) => f.endsWith('.csv')).sort()
const sources = await readSources(files.map((f) => join(values.data!, f)))
const pooled: number[] = []
const perFile: Array<{ file: string; decisions: number; rise99: number; medianHeadroom: number }> = []
for (const source of sources) {
  // log(max base fee of the next N blocks / next base fee), for every decision with N known blocks.
  const rises: number[] = []
  for (const run of source.series) {
    const logBaseFee = run.logBaseFee
    for (let next = 1; next + withinBlocks - 1 < run.length; next++) {
      let top = logBaseFee[next]!
      for (let k = 1; k < withinBlocks; k++) top = Math.max(top, logBaseFee[next + k]!)
      if (Number.isFinite(top)) rises.push(top - logBaseFee[next]!)
    }
  }
  if (rises.length === 0) continue
  const rise99 = upperQuantile(rises, confidence)
  const headrooms = rises.map((r) => Math.expm1(rise99 - r))
  pooled.push(...headrooms)
  perFile.push({
    file: source.name,
    decisions: rises.length,
    rise99: Math.expm1(rise99),
    medianHeadroom: upperQuantile(headrooms, 0.5),
  })
  process.stderr.write(
    `${source.name.padEnd(24)} ${String(rises.length).padStart(6)} decisions  99% rise ${(Math.expm1(rise99) * 100).toFixed(1)}%  median headroom ${(upperQuantile(headrooms, 0.5) * 100).toFixed(1)}%\n`,
  )
}
const result = {
  date: new Date().toISOString(),
  command: 'npx tsx bench/headroom-bound.ts',
  confidence: confidence * 100,
  withinBlocks,
  pooledMedianHeadroom: upperQuantile(pooled, 0.5),
  perFile,
}
process.stderr.write(
  `pooled median headroom of the per-file hindsight bound: ${(result.pooledMedianHeadroom * 100).toFixed(1)}%\n`,
)
await writeFile(join(root, 'bench', 'results', 'headroom-bound.json'), `${JSON.stringify(result, null, 2)}\n`)

import { existsSync } from 'node:fs'
import type { ModelMeta } from '../model/modelFiles.js'
import { CommandOptionError } from './errors.js'

export type BacktestModelParameters<M, F> = {
  /** `--model DIR`, or undefined for the shipped default. */
  model: string | undefined
  defaultDir: string
  load: (dir: string) => Promise<M>
  /** The model-free forecaster used when no model is there (the shipped one not installed). */
  fallback: () => F
  /** The files about to be walked: a model trained on them gives in-sample figures, which is said. */
  sources: readonly { name: string; sha256: string }[]
  /** The benchmark with the honest (leave-one-file-out) figures, and the command that trains a model. */
  honestFigures: string
  trainCommand: string
  log: (line: string) => void
}

/**
 * The forecaster a backtest walks with: the model in --model (which must be there), else the shipped one,
 * else the fallback; says which on stderr, and warns when the model was trained on the files walked.
 */
export async function backtestModel<M extends { version: string; backend: string; meta: ModelMeta }, F>(
  p: BacktestModelParameters<M, F>,
): Promise<M | F> {
  const dir = p.model ?? p.defaultDir
  if (!existsSync(dir)) {
    if (p.model)
      throw new CommandOptionError(`No model in ${dir}`, { details: `Train one with \`${p.trainCommand}\`.` })
    p.log(`no model in ${dir}: using the random-walk fallback`)
    return p.fallback()
  }
  const model = await p.load(dir)
  p.log(`model ${model.version} (${model.backend})`)
  const trained = new Set(model.meta.training.files.map((f) => f.sha256))
  const inSample = p.sources.filter((s) => trained.has(s.sha256))
  if (inSample.length > 0)
    p.log(
      `warning: the model was trained on ${inSample.map((s) => s.name).join(', ')}: these figures are in-sample. ` +
        `For honest ones see ${p.honestFigures} (leave-one-file-out).`,
    )
  return model
}

/**
 * Runs a command whose --json output must be stdout's only bytes: libraries that print (TF.js greets on
 * some backends) are sent to stderr meanwhile.
 */
export async function withJsonStdout<T>(json: boolean | undefined, run: () => Promise<T>): Promise<T> {
  const consoleLog = console.log
  if (json) console.log = (...args: unknown[]) => console.error(...args)
  try {
    return await run()
  } finally {
    console.log = consoleLog
  }
}

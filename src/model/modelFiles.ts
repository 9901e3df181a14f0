import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { io } from '@tensorflow/tfjs'
import { ModelFilesError } from './errors.js'
import type { ModelLayout } from './layout.js'

/** scaling.json: everything besides the weights that turns a feature vector into quantiles. */
export type ModelMeta = {
  /** The base-fee model, or the blob-fee model (same network shape and layout, its own features). */
  format: ModelFormat
  /** The model's name and training date, reported with every prediction. */
  version: string
  featureVersion: number
  featureNames: string[]
  featureMean: number[]
  featureStd: number[]
  /**
   * The smallest and largest value of each feature among the training examples, where the model records it
   * (the blob model): inputs are clamped into it, since the network has no learned answer outside (a feature
   * that never varied in training, like EIP-7918's reserve share before Osaka, then reads as it always did).
   */
  featureRange?: { low: number[]; high: number[] }
  /** Targets and outputs are in units of the chain's largest one-block log step (log 1.125 on Ethereum). */
  unit: 'maxLogStep'
  layout: ModelLayout
  /**
   * Starting offsets of the online calibration, normal-score units, by [horizon][confidence] of
   * `calibrationPrior.confidences` / `layout.horizons`: what the model's own time-held-out validation
   * blocks said its levels are off by. A new chain starts from these rather than from zero.
   */
  calibrationPrior?: { confidences: number[]; horizons: number[]; offset: number[][] }
  /** Starting offsets per regime, for models whose calibration keeps one state per regime (blob fees). */
  calibrationPriors?: Record<string, { confidences: number[]; horizons: number[]; offset: number[][] }>
  training: {
    command: string
    files: { path: string; sha256: string; rows: number }[]
    examples: { train: number; validation: number }
    epochs: number
    seconds: number
    backend: string
    date: string
  }
}

export type ModelFormat = 'feecast-basefee-quantiles' | 'feecast-blobfee-quantiles'

export type ModelFiles = {
  artifacts: io.ModelArtifacts
  meta: ModelMeta
}

function concat(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(new Uint8Array(p), at)
    at += p.byteLength
  }
  return out
}

/** Writes a model the way tfjs-node's file:// handler does (model.json + weights.bin), plus scaling.json. */
export async function writeModelFiles(dir: string, { artifacts, meta }: ModelFiles): Promise<void> {
  await mkdir(dir, { recursive: true })
  if (!artifacts.weightData || !artifacts.weightSpecs)
    throw new ModelFilesError(dir, 'the model has no weights to save')
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  }
  await writeFile(join(dir, 'model.json'), `${JSON.stringify(modelJson)}\n`)
  await writeFile(join(dir, 'weights.bin'), concat(artifacts.weightData as ArrayBuffer | ArrayBuffer[]))
  await writeFile(join(dir, 'scaling.json'), `${JSON.stringify(meta, null, 2)}\n`)
}

export async function readModelFiles(
  dir: string,
  format: ModelFormat = 'feecast-basefee-quantiles',
): Promise<ModelFiles> {
  const read = async (name: string) => {
    try {
      return await readFile(join(dir, name))
    } catch (error) {
      throw new ModelFilesError(
        dir,
        `cannot read ${name} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        error,
      )
    }
  }
  const [modelJsonText, weights, scalingText] = await Promise.all([
    read('model.json'),
    read('weights.bin'),
    read('scaling.json'),
  ])
  let modelJson: {
    modelTopology: object
    format?: string
    generatedBy?: string
    weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[]
  }
  let meta: ModelMeta
  try {
    modelJson = JSON.parse(modelJsonText.toString('utf8'))
    meta = JSON.parse(scalingText.toString('utf8'))
  } catch (error) {
    throw new ModelFilesError(dir, 'model.json or scaling.json is not valid JSON', error)
  }
  if (meta.format !== format)
    throw new ModelFilesError(dir, `scaling.json has format "${String(meta.format)}", expected "${format}"`)
  const weightSpecs = modelJson.weightsManifest.flatMap((m) => m.weights)
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer
  return {
    artifacts: {
      modelTopology: modelJson.modelTopology,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      weightSpecs,
      weightData,
    },
    meta,
  }
}

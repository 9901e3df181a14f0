import type { LayersModel, Tensor2D } from '@tensorflow/tfjs'
import { blobFeatureNames, blobFeatureVersion } from '../features/blobFeatureNames.js'
import type { BlobFeeForecaster } from './blobForecaster.js'
import { blobForecastFromRaw } from './blobForecaster.js'
import type { DenseNetwork } from './denseNetwork.js'
import { ModelFilesError } from './errors.js'
import { outputSize } from './layout.js'
import { feeModelFromTf } from './loadFeeModel.js'
import { type ModelMeta, readModelFiles } from './modelFiles.js'
import { loadTf, type TfBackendPreference, type TfRuntime } from './tfRuntime.js'

export type BlobFeeModel = BlobFeeForecaster & {
  meta: ModelMeta
  tfBackend: string
  network: DenseNetwork
  tfModel: LayersModel
}

export type BlobFeeModelFromTfParameters = {
  tf: TfRuntime['tf']
  tfModel: LayersModel
  meta: ModelMeta
  tfBackend: string
  dir?: string
}

/**
 * A trained blob network as a forecaster: per decision on plain-JS dense layers (checked against TF.js on a
 * probe, as for the base-fee model), and in batches on TF.js for backtests over whole windows.
 */
export function blobFeeModelFromTf({
  tf,
  tfModel,
  meta,
  tfBackend,
  dir,
}: BlobFeeModelFromTfParameters): BlobFeeModel {
  const lifted = feeModelFromTf({ tf, tfModel, meta, tfBackend, ...(dir === undefined ? {} : { dir }) })
  const { network } = lifted
  const mean = Float64Array.from(meta.featureMean)
  const inverseStd = Float64Array.from(meta.featureStd, (s) => 1 / s)
  const F = mean.length
  const low = Float64Array.from(meta.featureRange?.low ?? mean.map(() => Number.NEGATIVE_INFINITY))
  const high = Float64Array.from(meta.featureRange?.high ?? mean.map(() => Number.POSITIVE_INFINITY))
  /** The network's input for feature j: clamped into the trained range, then standardised. */
  const standardise = (value: number, j: number) =>
    (Math.min(high[j] ?? 0, Math.max(low[j] ?? 0, value)) - (mean[j] ?? 0)) * (inverseStd[j] ?? 1)
  const input = new Float64Array(F)
  const O = outputSize(meta.layout)
  return {
    version: meta.version,
    backend: `${tfBackend}+js`,
    tfBackend,
    layout: meta.layout,
    calibrationPriors: meta.calibrationPriors,
    meta,
    network,
    tfModel,
    inputsOutsideRange(features) {
      let outside = 0
      for (let i = 0; i < F; i++) {
        const value = features[i] ?? 0
        if (value < (low[i] ?? 0) || value > (high[i] ?? 0)) outside++
      }
      return outside
    },
    forecast(features, maxStep) {
      for (let i = 0; i < F; i++) input[i] = standardise(features[i] ?? 0, i)
      return blobForecastFromRaw(network.run(input), meta.layout, maxStep)
    },
    rawBatch(features, count) {
      const out = new Float32Array(count * O)
      const chunk = 8192
      for (let start = 0; start < count; start += chunk) {
        const rows = Math.min(chunk, count - start)
        const x = new Float32Array(rows * F)
        for (let r = 0; r < rows; r++)
          for (let j = 0; j < F; j++) x[r * F + j] = standardise(features[(start + r) * F + j] ?? 0, j)
        const y = tf.tidy(() => tfModel.predict(tf.tensor2d(x, [rows, F])) as Tensor2D)
        out.set(y.dataSync(), start * O)
        y.dispose()
      }
      return out
    },
  }
}

export type LoadBlobFeeModelParameters = { dir: string; backend?: TfBackendPreference }

/** Loads models/blobfee (or any directory `feecast train --fee blob` wrote). */
export async function loadBlobFeeModel({
  dir,
  backend = 'auto',
}: LoadBlobFeeModelParameters): Promise<BlobFeeModel> {
  const { artifacts, meta } = await readModelFiles(dir, 'feecast-blobfee-quantiles')
  if (
    meta.featureVersion !== blobFeatureVersion ||
    meta.featureNames.join(',') !== blobFeatureNames.join(',')
  )
    throw new ModelFilesError(
      dir,
      `the model was trained on blob feature set v${meta.featureVersion}, this code computes v${blobFeatureVersion}: retrain it`,
    )
  const runtime = await loadTf(backend)
  let tfModel: LayersModel
  try {
    tfModel = await runtime.tf.loadLayersModel(runtime.tf.io.fromMemory(artifacts))
  } catch (error) {
    throw new ModelFilesError(dir, `TF.js cannot load model.json / weights.bin (${String(error)})`, error)
  }
  return blobFeeModelFromTf({ tf: runtime.tf, tfModel, meta, tfBackend: runtime.backend, dir })
}

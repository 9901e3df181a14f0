import type { LayersModel, Tensor } from '@tensorflow/tfjs'
import { featureNames, featureVersion } from '../features/featureNames.js'
import { maxLogStep } from '../features/feeRule.js'
import { at, outOfRange } from '../lib/at.js'
import { type DenseLayer, DenseNetwork, supportedActivations } from './denseNetwork.js'
import { ModelFilesError } from './errors.js'
import type { BaseFeeForecaster } from './forecast.js'
import { outputSize } from './layout.js'
import { type ModelMeta, readModelFiles } from './modelFiles.js'
import { headQuantiles } from './quantileHead.js'
import { loadTf, type TfBackendPreference, type TfRuntime } from './tfRuntime.js'

export type LoadFeeModelParameters = {
  dir: string
  backend?: TfBackendPreference
}

export type FeeModel = BaseFeeForecaster & {
  meta: ModelMeta
  /** The TF.js backend that loaded the model ('tensorflow', 'wasm' or 'cpu'). */
  tfBackend: string
  /** The network as plain JS (what `forecast` runs). */
  network: DenseNetwork
  /** The loaded TF.js model, for batch inference and checks. */
  tfModel: LayersModel
}

export type LoadFeeModelReturnType = FeeModel

/**
 * Loads a trained model with TF.js (tfjs-node if installed, else tfjs + wasm), then lifts its dense
 * weights into a plain-JS network for per-block inference, after checking on a probe input that both
 * give the same outputs.
 */
export async function loadFeeModel({
  dir,
  backend = 'auto',
}: LoadFeeModelParameters): Promise<LoadFeeModelReturnType> {
  const { artifacts, meta } = await readModelFiles(dir)
  if (meta.featureVersion !== featureVersion || meta.featureNames.join(',') !== featureNames.join(','))
    throw new ModelFilesError(
      dir,
      `the model was trained on feature set v${meta.featureVersion}, this code computes v${featureVersion}: retrain it`,
    )
  const runtime = await loadTf(backend)
  const { tf } = runtime
  let tfModel: LayersModel
  try {
    tfModel = await tf.loadLayersModel(tf.io.fromMemory(artifacts))
  } catch (error) {
    throw new ModelFilesError(dir, `TF.js cannot load model.json / weights.bin (${String(error)})`, error)
  }
  return feeModelFromTf({ tf, tfModel, meta, tfBackend: runtime.backend, dir })
}

export type FeeModelFromTfParameters = {
  tf: TfRuntime['tf']
  tfModel: LayersModel
  meta: ModelMeta
  tfBackend: string
  /** Named in errors. */
  dir?: string
}

/** The TF.js model's dense layers as plain-JS ones (the JS runner knows ReLU / linear dense layers with biases). */
function denseLayersOf(tfModel: LayersModel, dir: string): DenseLayer[] {
  const layers: DenseLayer[] = []
  for (const layer of tfModel.layers) {
    const className = layer.getClassName()
    if (className === 'InputLayer') continue
    const config = layer.getConfig() as { units?: number; activation?: string; useBias?: boolean }
    if (
      className !== 'Dense' ||
      !supportedActivations.includes(config.activation ?? 'linear') ||
      config.useBias === false
    )
      throw new ModelFilesError(
        dir,
        `layer ${layer.name} (${className}) is not a dense layer the JS runner knows`,
      )
    const [kernel, bias] = layer.getWeights()
    if (kernel === undefined || bias === undefined)
      throw new ModelFilesError(dir, `layer ${layer.name} has no kernel or no bias`)
    const shape = kernel.shape as [number, number]
    layers.push({
      inputs: shape[0],
      units: shape[1],
      kernel: Float32Array.from(kernel.dataSync()),
      bias: Float32Array.from(bias.dataSync()),
      activation: (config.activation ?? 'linear') as DenseLayer['activation'],
    })
  }
  return layers
}

/** The JS runner must fit scaling.json and agree with TF.js on the loaded weights (a probe input). */
function checkJsRunner(
  tf: TfRuntime['tf'],
  tfModel: LayersModel,
  network: DenseNetwork,
  meta: ModelMeta,
  dir: string,
): void {
  if (network.inputSize !== meta.featureNames.length || network.outputSize !== outputSize(meta.layout))
    throw new ModelFilesError(dir, 'the network does not match scaling.json (input or output size)')
  const probe = meta.featureMean.map((_, i) => ((i * 7) % 5) - 2)
  const expected = tf.tidy(() => (tfModel.predict(tf.tensor2d([probe])) as Tensor).dataSync())
  const actual = network.run(probe)
  for (const [i, a] of actual.entries()) {
    const e = at(expected, i)
    if (Math.abs(a - e) > 1e-3 * (1 + Math.abs(e)))
      throw new ModelFilesError(dir, `the JS runner disagrees with TF.js at output ${i}: ${a} vs ${e}`)
  }
}

/** A TF.js model (just trained, or loaded) as a forecaster running on plain-JS dense layers. */
export function feeModelFromTf({
  tf,
  tfModel,
  meta,
  tfBackend,
  dir = 'memory',
}: FeeModelFromTfParameters): FeeModel {
  const network = new DenseNetwork(denseLayersOf(tfModel, dir))
  checkJsRunner(tf, tfModel, network, meta, dir)

  const mean = Float64Array.from(meta.featureMean)
  const inverseStd = Float64Array.from(meta.featureStd, (s) => 1 / s)
  const input = new Float64Array(mean.length)
  return {
    version: meta.version,
    backend: `${tfBackend}+js`,
    tfBackend,
    layout: meta.layout,
    calibrationPrior: meta.calibrationPrior,
    meta,
    network,
    tfModel,
    forecast(features, rule) {
      const v = features.vector
      for (let i = 0; i < input.length; i++)
        input[i] =
          ((v[i] ?? outOfRange(v, i)) - (mean[i] ?? outOfRange(mean, i))) *
          (inverseStd[i] ?? outOfRange(inverseStd, i))
      const { runMax, marginal } = headQuantiles(network.run(input), meta.layout)
      const step = maxLogStep(rule)
      for (const row of runMax)
        for (let l = 0; l < row.length; l++) row[l] = (row[l] ?? outOfRange(row, l)) * step
      for (const row of marginal)
        for (let l = 0; l < row.length; l++) row[l] = (row[l] ?? outOfRange(row, l)) * step
      return { layout: meta.layout, runMax, marginal }
    },
  }
}

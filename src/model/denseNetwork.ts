import { outOfRange } from '../lib/at.js'

/** One dense layer: y = activation(x · kernel + bias), kernel row-major [inputs][units]. */
export type DenseLayer = {
  inputs: number
  units: number
  kernel: Float32Array
  bias: Float32Array
  activation: 'linear' | 'relu' | 'elu' | 'tanh' | 'sigmoid'
}

export const supportedActivations: readonly string[] = ['linear', 'relu', 'elu', 'tanh', 'sigmoid']

/**
 * A stack of dense layers evaluated in plain JavaScript. The network is small (tens of thousands of
 * multiply-adds); a TF.js predict() call costs more in tensor bookkeeping than the maths itself, so the
 * weights TF.js trained and loaded run here, well inside the 2 ms budget of a prediction.
 */
export class DenseNetwork {
  readonly layers: readonly DenseLayer[]
  readonly inputSize: number
  readonly outputSize: number
  /** Each layer beside the buffer its outputs are written to (reused: no allocation per pass). */
  private readonly stages: readonly { layer: DenseLayer; output: Float64Array }[]

  constructor(layers: readonly DenseLayer[]) {
    const [first] = layers
    if (first === undefined) throw new RangeError('DenseNetwork: no layers')
    let previous = first
    for (const [i, layer] of layers.entries()) {
      if (i > 0 && layer.inputs !== previous.units)
        throw new RangeError(`DenseNetwork: layer ${i} does not fit layer ${i - 1}`)
      previous = layer
    }
    this.layers = layers
    this.inputSize = first.inputs
    this.outputSize = previous.units
    this.stages = layers.map((layer) => ({ layer, output: new Float64Array(layer.units) }))
  }

  /** Forward pass; returns a fresh array. */
  run(input: ArrayLike<number>): Float64Array {
    if (input.length !== this.inputSize)
      throw new RangeError(`DenseNetwork: expected ${this.inputSize} inputs, got ${input.length}`)
    let x: ArrayLike<number> = input
    for (const { layer, output: y } of this.stages) {
      const { inputs, units, kernel, bias, activation } = layer
      for (let j = 0; j < units; j++) y[j] = bias[j] ?? outOfRange(bias, j)
      for (let i = 0; i < inputs; i++) {
        const xi = x[i] ?? outOfRange(x, i)
        if (xi === 0) continue
        const row = i * units
        for (let j = 0; j < units; j++)
          y[j] = (y[j] ?? outOfRange(y, j)) + xi * (kernel[row + j] ?? outOfRange(kernel, row + j))
      }
      activate(y, activation)
      x = y
    }
    return Float64Array.from(x)
  }
}

/** Applies a layer's activation to its outputs in place (index loops: this runs per prediction). */
function activate(y: Float64Array, activation: DenseLayer['activation']): void {
  const units = y.length
  switch (activation) {
    case 'relu':
      for (let j = 0; j < units; j++) if ((y[j] ?? outOfRange(y, j)) < 0) y[j] = 0
      break
    case 'elu':
      for (let j = 0; j < units; j++) {
        const v = y[j] ?? outOfRange(y, j)
        if (v < 0) y[j] = Math.expm1(v)
      }
      break
    case 'tanh':
      for (let j = 0; j < units; j++) y[j] = Math.tanh(y[j] ?? outOfRange(y, j))
      break
    case 'sigmoid':
      for (let j = 0; j < units; j++) y[j] = 1 / (1 + Math.exp(-(y[j] ?? outOfRange(y, j))))
      break
    default:
      break
  }
}

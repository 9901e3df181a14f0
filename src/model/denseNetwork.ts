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
  private readonly buffers: Float64Array[]

  constructor(layers: readonly DenseLayer[]) {
    if (layers.length === 0) throw new RangeError('DenseNetwork: no layers')
    for (let i = 1; i < layers.length; i++)
      if (layers[i]!.inputs !== layers[i - 1]!.units)
        throw new RangeError(`DenseNetwork: layer ${i} does not fit layer ${i - 1}`)
    this.layers = layers
    this.inputSize = layers[0]!.inputs
    this.outputSize = layers[layers.length - 1]!.units
    this.buffers = layers.map((l) => new Float64Array(l.units))
  }

  /** Forward pass; returns a fresh array. */
  run(input: ArrayLike<number>): Float64Array {
    if (input.length !== this.inputSize)
      throw new RangeError(`DenseNetwork: expected ${this.inputSize} inputs, got ${input.length}`)
    let x: ArrayLike<number> = input
    for (let li = 0; li < this.layers.length; li++) {
      const { inputs, units, kernel, bias, activation } = this.layers[li]!
      const y = this.buffers[li]!
      for (let j = 0; j < units; j++) y[j] = bias[j]!
      for (let i = 0; i < inputs; i++) {
        const xi = x[i]!
        if (xi === 0) continue
        const row = i * units
        for (let j = 0; j < units; j++) y[j]! += xi * kernel[row + j]!
      }
      switch (activation) {
        case 'relu':
          for (let j = 0; j < units; j++) if (y[j]! < 0) y[j] = 0
          break
        case 'elu':
          for (let j = 0; j < units; j++) if (y[j]! < 0) y[j] = Math.expm1(y[j]!)
          break
        case 'tanh':
          for (let j = 0; j < units; j++) y[j] = Math.tanh(y[j]!)
          break
        case 'sigmoid':
          for (let j = 0; j < units; j++) y[j] = 1 / (1 + Math.exp(-y[j]!))
          break
        default:
          break
      }
      x = y
    }
    return Float64Array.from(x)
  }
}

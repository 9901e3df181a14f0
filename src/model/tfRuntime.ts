import type * as Tf from '@tensorflow/tfjs'

export type TfBackendPreference = 'auto' | 'node' | 'wasm' | 'cpu'

export type TfRuntime = {
  tf: typeof Tf
  /** The TF.js backend in use: 'tensorflow' (tfjs-node), 'wasm' or 'cpu'. */
  backend: string
  /** Which package provided it. */
  package: '@tensorflow/tfjs-node' | '@tensorflow/tfjs'
}

// A variable, so that TypeScript and bundlers do not require the optional package to be installed.
const tfjsNode = '@tensorflow/tfjs-node'

const cache = new Map<TfBackendPreference, Promise<TfRuntime>>()

/**
 * Loads TF.js once per process: `@tensorflow/tfjs-node` (an optional dependency: its native binary is
 * downloaded at install time, which fails on machines without internet access) when it is installed,
 * otherwise `@tensorflow/tfjs` on the WebAssembly backend, and the pure-JS CPU backend as a last resort.
 * Model files are the same for all three.
 */
export function loadTf(preference: TfBackendPreference = 'auto'): Promise<TfRuntime> {
  let runtime = cache.get(preference)
  if (!runtime) {
    runtime = load(preference)
    cache.set(preference, runtime)
  }
  return runtime
}

async function load(preference: TfBackendPreference): Promise<TfRuntime> {
  if (preference === 'auto' || preference === 'node') {
    try {
      const tf = (await import(tfjsNode)) as typeof Tf
      await tf.ready()
      return { tf, backend: tf.getBackend(), package: '@tensorflow/tfjs-node' }
    } catch (error) {
      if (preference === 'node') throw error
    }
  }
  const tf = await import('@tensorflow/tfjs')
  if (preference !== 'cpu') {
    try {
      await import('@tensorflow/tfjs-backend-wasm')
      if (await tf.setBackend('wasm')) {
        await tf.ready()
        return { tf, backend: 'wasm', package: '@tensorflow/tfjs' }
      }
    } catch (error) {
      if (preference === 'wasm') throw error
    }
  }
  await tf.setBackend('cpu')
  await tf.ready()
  return { tf, backend: 'cpu', package: '@tensorflow/tfjs' }
}

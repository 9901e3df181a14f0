import type * as Tf from '@tensorflow/tfjs'
import type { ModelLayout } from './layout.js'

/**
 * quantileHead.ts's transform in TF.js, for training: raw [B, outputs] → running-max quantiles [B, H, L]
 * and marginal quantiles [B, H, M].
 */
export function headQuantilesTf(
  tf: typeof Tf,
  layout: ModelLayout,
  raw: Tf.Tensor2D,
): [Tf.Tensor3D, Tf.Tensor3D] {
  const B = raw.shape[0]
  const H = layout.horizons.length
  const L = layout.runMaxLevels.length
  const M = layout.marginalLevels.length
  // Cumulative sums as products with triangular matrices: TF.js 4.22's Cumsum gradient is wrong for
  // any axis but the last, and a matmul is as fast.
  const upper = (n: number) =>
    tf.tensor2d(
      Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) <= k % n ? 1 : 0)),
      [n, n],
    )
  const rm = tf.softplus(tf.reshape(tf.slice(raw, [0, 0], [B, H * L]), [B * H, L]))
  const byLevel = tf.reshape(tf.matMul(rm, upper(L)), [B, H, L])
  const byHorizon = tf.matMul(tf.reshape(tf.transpose(byLevel, [0, 2, 1]), [B * L, H]), upper(H))
  const qr = tf.transpose(tf.reshape(byHorizon, [B, L, H]), [0, 2, 1]) as Tf.Tensor3D
  const mg = tf.reshape(tf.slice(raw, [0, H * L], [B, H * M]), [B, H, M])
  const first = tf.slice(mg, [0, 0, 0], [B, H, 1])
  const rest = tf.softplus(tf.slice(mg, [0, 0, 1], [B, H, M - 1]))
  const qm = tf.reshape(tf.matMul(tf.reshape(tf.concat([first, rest], 2), [B * H, M]), upper(M)), [
    B,
    H,
    M,
  ]) as Tf.Tensor3D
  return [qr, qm]
}

/**
 * Pinball loss of both heads, through the same non-crossing transform as quantileHead.ts.
 * raw: [B, outputs]; runMax, marginal: [B, H]; weight: [B].
 */
export function quantileLoss(
  tf: typeof Tf,
  layout: ModelLayout,
  raw: Tf.Tensor2D,
  runMax: Tf.Tensor2D,
  marginal: Tf.Tensor2D,
  weight: Tf.Tensor1D,
  marginalWeight: number,
  levelWeights?: number[],
): Tf.Scalar {
  return tf.tidy(() => {
    const pinball = (y: Tf.Tensor2D, q: Tf.Tensor3D, levels: number[], weights?: number[]) => {
      const tau = tf.tensor3d(levels, [1, 1, levels.length])
      const d = tf.sub(tf.expandDims(y, 2), q)
      const loss = tf.maximum(tf.mul(d, tau), tf.mul(d, tf.sub(tau, 1)))
      if (!weights) return tf.mean(loss, [1, 2]) // [B]
      const w = tf.tensor3d(weights, [1, 1, weights.length])
      return tf.div(tf.mean(tf.mul(loss, w), [1, 2]), weights.reduce((a, b) => a + b, 0) / weights.length)
    }
    const [qr, qm] = headQuantilesTf(tf, layout, raw)
    const perExample = tf.add(
      pinball(runMax, qr, layout.runMaxLevels, levelWeights),
      tf.mul(pinball(marginal, qm, layout.marginalLevels), marginalWeight),
    )
    return tf.div(tf.sum(tf.mul(perExample, weight)), tf.sum(weight)) as Tf.Scalar
  })
}

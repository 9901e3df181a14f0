import type { Prediction } from '@feecast/client'
import type { BlobPrediction } from './buildBlobPrediction.js'

const toGwei = (wei: bigint) => Number(wei) / 1e9

const lowerTrust: Record<Prediction['trust']['label'], Prediction['trust']['label']> = {
  high: 'medium',
  medium: 'low',
  low: 'low',
}

/**
 * The prediction's trust with the blob model's doubt: blob inputs outside its trained range (a regime it
 * never saw, say a fork with other blob parameters) count as one concern, as the base-fee model's do.
 */
function trustWithBlob(trust: Prediction['trust'], blob: BlobPrediction): Prediction['trust'] {
  if (blob.inputsOutsideRange === 0) return trust
  return {
    label: lowerTrust[trust.label],
    reasons: [
      ...trust.reasons,
      `${blob.inputsOutsideRange} blob input(s) outside the trained range: the blob fee caps lean on calibration`,
    ],
  }
}

/**
 * A chain's prediction with its blob part (contract 1.1): each estimate gains the maxFeePerBlobGas of its
 * (confidence, withinBlocks), and the prediction the exact next blob base fee and the blob base-fee forecast.
 * Without a blob prediction (a chain without blobs) the prediction is returned as it was: no blob field is
 * ever filled with an invented number. Blob inputs outside the model's trained range lower the trust. Pure.
 */
export function withBlobPrediction(prediction: Prediction, blob: BlobPrediction | null): Prediction {
  if (blob === null) return prediction
  const caps = new Map(blob.estimates.map((e) => [`${e.confidence}/${e.withinBlocks}`, e.maxFeePerBlobGas]))
  return {
    ...prediction,
    trust: trustWithBlob(prediction.trust, blob),
    estimates: prediction.estimates.map((estimate) => {
      const cap = caps.get(`${estimate.confidence}/${estimate.withinBlocks}`)
      return cap === undefined
        ? estimate
        : { ...estimate, maxFeePerBlobGas: cap.toString(), maxFeePerBlobGasGwei: toGwei(cap) }
    }),
    pendingBlobBaseFeePerGas: blob.nextBlobBaseFeePerGas.toString(),
    blobBaseFeeForecast: blob.blobBaseFeeForecast.map(({ blocksAhead, quantiles }) => ({
      blocksAhead,
      quantiles: {
        '50': quantiles['50'].toString(),
        '90': quantiles['90'].toString(),
        '99': quantiles['99'].toString(),
      },
    })),
  }
}

import type { Prediction } from '@feecast/client'
import type { BlobPrediction } from './buildBlobPrediction.js'

const toGwei = (wei: bigint) => Number(wei) / 1e9

/**
 * A chain's prediction with its blob part (contract 1.1): each estimate gains the maxFeePerBlobGas of its
 * (confidence, withinBlocks), and the prediction the exact next blob base fee and the blob base-fee forecast.
 * Without a blob prediction (a chain without blobs) the prediction is returned as it was: no blob field is
 * ever filled with an invented number. Pure.
 */
export function withBlobPrediction(prediction: Prediction, blob: BlobPrediction | null): Prediction {
  if (blob === null) return prediction
  const caps = new Map(blob.estimates.map((e) => [`${e.confidence}/${e.withinBlocks}`, e.maxFeePerBlobGas]))
  return {
    ...prediction,
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

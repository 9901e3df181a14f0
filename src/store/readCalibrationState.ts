import { StoredValueError } from './errors.js'
import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'
import { type CalibrationSeq, parseCalibrationSeq } from './writePrediction.js'

export type ReadCalibrationStateParameters = { chainId: number }

/** The parsed JSON as writePrediction stored it (the predictor checks its version), or null when none is. */
export type ReadCalibrationStateReturnType = unknown

/** The calibration state saved with the chain's last prediction; StoredValueError when it is not JSON. */
export async function readCalibrationState(
  redis: StoreClient,
  { chainId }: ReadCalibrationStateParameters,
): Promise<ReadCalibrationStateReturnType> {
  const text = await redis.get(storeKeys(chainId).calibration)
  if (!text) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new StoredValueError(`the stored calibration state of chain ${chainId} is not JSON`, {
      details: text.slice(0, 200),
    })
  }
}

export type ReadCalibrationParameters = { chainId: number }

export type ReadCalibrationReturnType = {
  /** The parsed JSON (the predictor checks its version), null when none is stored. */
  state: unknown
  /** A state is stored but is not JSON (the reader starts afresh, following its sequence). */
  unreadable: boolean
  /** Which write it is ("<seq>|<writer>"), null when none is stored (or it was written without one). */
  seq: CalibrationSeq | null
}

/**
 * The calibration state with its sequence, read together (one MULTI, in the chain's slot), for a writer
 * that follows it (writePrediction's compare-and-set).
 */
export async function readCalibration(
  redis: StoreClient,
  { chainId }: ReadCalibrationParameters,
): Promise<ReadCalibrationReturnType> {
  const keys = storeKeys(chainId)
  const replies = await redis.multi().get(keys.calibration).get(keys.calibrationSeq).exec()
  const [text, seqText] = (replies ?? []).map(([error, value]) => {
    if (error) throw error
    return value as string | null
  })
  const seq = parseCalibrationSeq(seqText ?? null)
  if (!text) return { state: null, seq, unreadable: false }
  try {
    return { state: JSON.parse(text) as unknown, seq, unreadable: false }
  } catch {
    return { state: null, seq, unreadable: true }
  }
}

import { CalibrationConflictError } from './errors.js'
import { chainsKey, legacyPredictionChannel, legacyPredictionKey, storeKeys } from './keys.js'
import { publishPrediction } from './publishPrediction.js'
import { conflictReply, runScript, type StoreClient, writePredictionScript } from './scripts.js'

/** Which write of a chain's calibration state this is: "<seq>|<writer>" (see keys.ts, calibration:seq). */
export type CalibrationSeq = { seq: number; writer: string }

export const formatCalibrationSeq = ({ seq, writer }: CalibrationSeq): string => `${seq}|${writer}`

/** The stored sequence, or null for none ('') or one that does not parse. */
export function parseCalibrationSeq(text: string | null): CalibrationSeq | null {
  if (!text) return null
  const cut = text.indexOf('|')
  const seq = Number(text.slice(0, cut))
  return cut > 0 && Number.isSafeInteger(seq) && seq >= 0 ? { seq, writer: text.slice(cut + 1) } : null
}

export type WritePredictionParameters = {
  chainId: number
  /** The chain's new Prediction (stored and announced as JSON; the store does not look inside). */
  prediction: object
  /** The predictor's calibration state after this prediction, saved with it. */
  calibrationState: object
  /**
   * The calibration write this one follows (what the writer read or last wrote; null: none stored), and
   * this one. Without it the state is written unconditionally, with sequence 0 of "unknown" (tests, tools).
   */
  calibrationSeq?: { expected: CalibrationSeq | null; next: CalibrationSeq } | undefined
  /** Also write and announce in the layout before issue 14, for processes of that version (not on a Cluster). */
  legacyLayout?: boolean
  /**
   * Called with the stored JSON once the prediction is stored, before it is announced: this process's own
   * API takes it from memory without waiting for the announcement's round trip.
   */
  onStored?: ((json: string) => void) | undefined
}

/**
 * Stores a chain's latest prediction with the calibration state it was made with (one script, in the
 * chain's slot, a compare-and-set on the state's sequence: CalibrationConflictError when the stored state
 * is not the one the writer follows), lists the chain among the served ones, then announces the prediction
 * on the chain's channel. Stored before it is announced, so a replica that hears it can always read it.
 */
export async function writePrediction(
  redis: StoreClient,
  {
    chainId,
    prediction,
    calibrationState,
    calibrationSeq,
    legacyLayout = false,
    onStored,
  }: WritePredictionParameters,
): Promise<void> {
  const keys = storeKeys(chainId)
  const json = JSON.stringify(prediction)
  const seq = calibrationSeq ?? { expected: null, next: { seq: 0, writer: 'unknown' } }
  const expected = calibrationSeq === undefined ? await redis.get(keys.calibrationSeq) : null
  try {
    await runScript(
      redis,
      writePredictionScript,
      [keys.prediction, keys.calibration, keys.calibrationSeq],
      [
        json,
        JSON.stringify(calibrationState),
        calibrationSeq === undefined
          ? (expected ?? '')
          : seq.expected
            ? formatCalibrationSeq(seq.expected)
            : '',
        formatCalibrationSeq(seq.next),
      ],
    )
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(conflictReply))
      throw new CalibrationConflictError(
        chainId,
        parseCalibrationSeq(error.message.slice(conflictReply.length + 1).trim()),
      )
    throw error
  }
  onStored?.(json)
  // Sent together (one round trip, in this order): the listing, the old layout's copy, the announcements.
  await Promise.all([
    redis.sadd(chainsKey, String(chainId)),
    legacyLayout ? redis.set(legacyPredictionKey(chainId), json) : null,
    publishPrediction(redis, { chainId, json }),
    legacyLayout ? redis.publish(legacyPredictionChannel, json) : null,
  ])
}

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../lib/logger.js'
import type { BlobFeeForecaster } from './blobForecaster.js'
import { blobRandomWalkForecaster } from './blobRandomWalkForecaster.js'
import { defaultBlobModelDir } from './defaultModel.js'
import { loadBlobFeeModel } from './loadBlobFeeModel.js'

export type LoadBlobForecasterParameters = { dir?: string; logger: Logger }

/**
 * The shipped blob-fee model when its files are there and load, otherwise the blob random-walk fallback
 * (the online calibration per regime keeps it honest). The service starts either way; the prediction's
 * model version is the base-fee model's, and feecast_blob_model_info says which blob model runs.
 */
export async function loadBlobForecaster({
  dir = defaultBlobModelDir,
  logger,
}: LoadBlobForecasterParameters): Promise<BlobFeeForecaster> {
  if (existsSync(join(dir, 'model.json'))) {
    try {
      return await loadBlobFeeModel({ dir })
    } catch (error) {
      logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'blob-fee model failed to load: using the blob random-walk fallback',
      )
    }
  } else logger.warn({ dir }, 'no trained blob-fee model found: using the blob random-walk fallback')
  return blobRandomWalkForecaster()
}

import { fileURLToPath } from 'node:url'

/** The model that ships with feecast (trained on ../shared/data/blocks/, see its README.md). */
export const defaultModelDir = fileURLToPath(new URL('../../models/basefee', import.meta.url))

/** The blob-fee model that ships with feecast (trained on ../shared/data/blobs/, see its README.md). */
export const defaultBlobModelDir = fileURLToPath(new URL('../../models/blobfee', import.meta.url))

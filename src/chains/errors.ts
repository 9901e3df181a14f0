import { FeecastError } from '../errors.js'

/** A blob schedule (a JSON file, a genesis config, a node's eth_config answer) that cannot be used as given. */
export class BlobScheduleError extends FeecastError {
  override name = 'BlobScheduleError'
  readonly source: string

  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`, {
      details:
        'A blob schedule lists forks by activation time (unix seconds) with target and max blobs per block (1 <= target < max <= 1024), the blob base fee update fraction, and whether EIP-7918 (Osaka and later) applies. See README "Blob fees".',
    })
    this.source = source
  }
}

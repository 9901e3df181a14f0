import { readFile } from 'node:fs/promises'
import type { BlobSchedule } from './blobSchedule.js'
import { BlobScheduleError } from './errors.js'
import { parseBlobSchedule } from './parseBlobSchedule.js'

/** `--blob-schedule FILE`: reads and parses a schedule file (see parseBlobSchedule for the shapes). */
export async function readBlobScheduleFile(path: string): Promise<BlobSchedule> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new BlobScheduleError(
      path,
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    )
  }
  return parseBlobSchedule({ text, source: path })
}

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeFileAtomic } from './writeFileAtomic.js'

describe('writeFileAtomic', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'feecast-atomic-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes a new file and replaces it whole, leaving no temporary file behind', async () => {
    const path = join(dir, 'state.json')
    await writeFileAtomic(path, 'first\n')
    await writeFileAtomic(path, 'second\n')
    expect(await readFile(path, 'utf8')).toBe('second\n')
    expect(await readdir(dir)).toEqual(['state.json'])
  })

  it('fails on a directory that does not exist, and leaves nothing', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'state.json'), 'x')).rejects.toThrow()
    expect(await readdir(dir)).toEqual([])
  })
})

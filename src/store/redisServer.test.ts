import { describe, expect, it } from 'vitest'
import { redisLineLevel } from './redisServer.js'

describe('redisLineLevel', () => {
  it("keeps redis-server's warnings and errors, and makes its routine '#' lines notices", () => {
    expect(redisLineLevel('1:M 01 Dec 2026 03:52:49.042 # Server initialized')).toBe('notice')
    expect(redisLineLevel('1:M 01 Dec 2026 03:52:49.042 # User requested shutdown...')).toBe('notice')
    expect(redisLineLevel('1:M 01 Dec 2026 03:52:49.042 # WARNING Memory overcommit must be enabled!')).toBe(
      'warning',
    )
    expect(
      redisLineLevel('1:M 01 Dec 2026 03:52:49.042 # Bad file format reading the append only file'),
    ).toBe('warning')
    expect(redisLineLevel('1:M 01 Dec 2026 03:52:49.042 * Ready to accept connections tcp')).toBe('notice')
  })
})

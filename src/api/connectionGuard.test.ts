import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createConnectionGuard, defaultMaxConnections } from './connectionGuard.js'

/** What the guard reads of a socket: its address and its close event. */
const socket = (remoteAddress: string) =>
  Object.assign(new EventEmitter(), { remoteAddress }) as unknown as Socket

describe('createConnectionGuard', () => {
  it('caps one address, counts IPv4-mapped addresses as the same client, and frees a slot on close', () => {
    const shed: string[] = []
    const guard = createConnectionGuard({
      maxConnections: 100,
      maxPerClient: 2,
      onShed: (reason, address) => shed.push(`${reason} ${address}`),
    })
    const a = socket('127.0.0.1')
    expect(guard.admit(a)).toBe(true)
    expect(guard.admit(socket('::ffff:127.0.0.1'))).toBe(true)
    expect(guard.admit(socket('127.0.0.1'))).toBe(false)
    expect(guard.admit(socket('127.0.0.2'))).toBe(true)
    expect(shed).toEqual(['per-client 127.0.0.1'])
    a.emit('close')
    expect(guard.admit(socket('127.0.0.1'))).toBe(true)
    expect(guard.open).toBe(3)
  })

  it('caps the total, and exempts trusted proxies from the per-client cap only', () => {
    const guard = createConnectionGuard({
      maxConnections: 3,
      maxPerClient: 1,
      isExempt: (a) => a === '10.0.0.1',
    })
    expect([1, 2, 3, 4].map(() => guard.admit(socket('10.0.0.1')))).toEqual([true, true, true, false])
  })
})

describe('defaultMaxConnections', () => {
  it('is the soft open-file limit less a reserve', () => {
    expect(
      defaultMaxConnections('Max open files            1024                 524288               files\n'),
    ).toBe(896)
    expect(
      defaultMaxConnections('Max open files            unlimited            unlimited            files\n'),
    ).toBe(65_408)
    expect(defaultMaxConnections()).toBeGreaterThan(0)
  })
})

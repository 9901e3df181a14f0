import { describe, expect, it } from 'vitest'
import { RpcEndpointError, type RpcFailureKind, RpcUnavailableError } from '../rpc/errors.js'
import { unreachable } from './syncBlobSchedule.js'

const failed = (...kinds: RpcFailureKind[]) =>
  new RpcUnavailableError(
    1,
    'eth_config',
    kinds.map(
      (kind, i) => new RpcEndpointError({ endpoint: `e#${i}`, method: 'eth_config', kind, problem: 'x' }),
    ),
  )

describe('unreachable (an eth_config failure that is not worth a warning of its own)', () => {
  it('is a node no endpoint of which answered: the sync reports that failure', () => {
    expect(unreachable(failed('network'))).toBe(true)
    expect(unreachable(failed('timeout', 'open-circuit'))).toBe(true)
  })

  it('is not an answer: an error object, garbage, or another error', () => {
    expect(unreachable(failed('network', 'rpc'))).toBe(false)
    expect(unreachable(failed('garbage'))).toBe(false)
    expect(unreachable(new Error('boom'))).toBe(false)
  })
})

import { contractHeader, contractVersion } from '@feecast/client'
import { describe, expect, it } from 'vitest'
import { responseHeadersOf, testContext } from '../core/testRequest.js'
import { contract } from './contract.js'

describe('contract', () => {
  it('states the contract version on every answer', () => {
    const c = testContext()
    expect(contract()(c)).toBeUndefined()
    expect(responseHeadersOf(c)[contractHeader]).toBe(contractVersion)
  })
})

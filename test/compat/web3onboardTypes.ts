import type { GasPlatformResponse } from '@web3-onboard/gas'
import type { BlocknativeBody } from '../../src/api/schemas.js'

/**
 * Compiles only when every answer of feecast's Blocknative route is a `GasPlatformResponse` of
 * @web3-onboard/gas (its published Blocknative types): `npm test`'s type check is the test.
 */
export const asWeb3OnboardResponse = (body: BlocknativeBody): GasPlatformResponse => body

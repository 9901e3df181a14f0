import type { GasFeeEstimates } from '@metamask/gas-fee-controller'
import type { MetaMaskBody } from '../../src/api/schemas.js'

/**
 * Compiles only when every answer of feecast's MetaMask route is a `GasFeeEstimates` of
 * @metamask/gas-fee-controller (its published type: market fields all present or all null).
 */
export const asMetaMaskEstimates = (body: MetaMaskBody): GasFeeEstimates => body

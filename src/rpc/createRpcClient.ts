import { createPublicClient, type PublicClient } from 'viem'
import { type CreateRpcTransportParameters, createRpcTransport } from './createRpcTransport.js'

export type CreateRpcClientParameters = CreateRpcTransportParameters & {
  /** viem's polling interval for its watch actions (ms, default 1000). */
  pollingIntervalMs?: number
}

export type CreateRpcClientReturnType = PublicClient

/**
 * The viem public client of one chain over its endpoints (see createRpcTransport). Caching is off: viem would
 * otherwise answer eth_blockNumber from a cache as old as its polling interval, and the sampler polls itself.
 */
export function createRpcClient(parameters: CreateRpcClientParameters): CreateRpcClientReturnType {
  return createPublicClient({
    transport: createRpcTransport(parameters),
    cacheTime: 0,
    pollingInterval: parameters.pollingIntervalMs ?? 1_000,
  })
}

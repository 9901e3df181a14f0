import type { PublicClient } from 'viem'
import type { Logger } from '../lib/logger.js'
import { createRpcClient } from '../rpc/createRpcClient.js'
import { createWebSocketEndpoints, type RpcCallEvent } from '../rpc/createRpcTransport.js'
import type { WebSocketEndpoint } from '../rpc/webSocketEndpoint.js'

export type CreateSamplerClientParameters = {
  chainId: number
  /** The chain's endpoints, in order of preference. */
  rpcUrls?: readonly string[] | undefined
  rpcTimeoutMs?: number | undefined
  rpcRetries?: number | undefined
  rpcMaxResponseBytes?: number | undefined
  rpcChainIdCheckIntervalMs?: number | undefined
  onRpcCall?: ((event: RpcCallEvent) => void) | undefined
  logger: Logger
}

export type SamplerClient = {
  client: PublicClient
  /** The sockets of its ws:// and wss:// endpoints (in order), which the head subscription uses. */
  webSockets: readonly WebSocketEndpoint[]
  /** Endpoints found serving another chain so far: a reorg is not rewritten while this moves. */
  wrongChainSeen(): number
}

/** The sampler's viem client over its endpoints, logging (redacted) how each endpoint fares. */
export function createSamplerClient({
  chainId,
  rpcUrls = [],
  rpcTimeoutMs = 8_000,
  rpcRetries = 3,
  rpcMaxResponseBytes,
  rpcChainIdCheckIntervalMs,
  onRpcCall,
  logger,
}: CreateSamplerClientParameters): SamplerClient {
  let wrongChainSeen = 0
  const webSockets = createWebSocketEndpoints({
    urls: rpcUrls,
    timeoutMs: rpcTimeoutMs,
    ...(rpcMaxResponseBytes === undefined ? {} : { maxResponseBytes: rpcMaxResponseBytes }),
  })
  const client = createRpcClient({
    webSockets,
    chainId,
    urls: rpcUrls,
    timeoutMs: rpcTimeoutMs,
    retries: rpcRetries,
    ...(rpcMaxResponseBytes === undefined ? {} : { maxResponseBytes: rpcMaxResponseBytes }),
    ...(rpcChainIdCheckIntervalMs === undefined ? {} : { chainIdCheckIntervalMs: rpcChainIdCheckIntervalMs }),
    onCall: onRpcCall,
    onEndpointState: ({ chainId: _, ...e }) => {
      if (e.state === 'wrong-chain') {
        wrongChainSeen++
        logger.error(e, `rpc endpoint ${e.endpoint} ${e.problem}: not used until it serves chain ${chainId}`)
      } else if (e.state === 'closed') logger.info(e, 'rpc endpoint recovered')
      else logger.warn(e, 'rpc endpoint unhealthy')
    },
  })
  return { client, webSockets, wrongChainSeen: () => wrongChainSeen }
}

import { afterAll, describe, expect, it } from 'vitest'
import { createRpcClient } from '../src/rpc/createRpcClient.js'
import { type HostileRpc, startHostileRpc } from './support/hostileRpc.js'

/**
 * A node without eth_config (EIP-7910) answers "method not found": the sampler asks at every sync, and that
 * answer must neither be retried nor count against the endpoint's circuit breaker (before, three such answers
 * in a row opened it, and the sampler lost its only endpoint for the breaker's pause: seen on hardhat 2).
 */
describe('an endpoint that does not serve a method', () => {
  let rpc: HostileRpc
  afterAll(() => rpc?.stop())

  it('is answered once per call, and its circuit stays closed', async () => {
    rpc = await startHostileRpc({
      answer: (call) =>
        call.method === 'eth_config'
          ? {
              status: 200,
              body: {
                jsonrpc: '2.0',
                id: call.id,
                error: { code: -32601, message: 'the method eth_config does not exist' },
              },
            }
          : call.method === 'eth_chainId'
            ? { result: '0x7a69' }
            : { result: '0x10' },
    })
    const states: string[] = []
    const client = createRpcClient({
      chainId: 31337,
      urls: [rpc.url],
      retries: 3,
      timeoutMs: 2000,
      breakerThreshold: 3,
      onEndpointState: (event) => states.push(String((event as { state?: unknown }).state ?? event)),
    })
    for (let i = 0; i < 5; i++)
      await expect(client.request({ method: 'eth_config' } as never)).rejects.toThrow(
        /failed \(rpc\): JSON-RPC error -32601/,
      )
    expect(rpc.calls.eth_config).toBe(5)
    expect(states.filter((s) => s.includes('open'))).toEqual([])
    expect(await client.getBlockNumber()).toBe(16n)
  })
})

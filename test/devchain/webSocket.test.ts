import { createPublicClient, http, webSocket } from 'viem'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startDevchain } from '../../src/devchain/startDevchain.js'
import { waitFor } from '../support/waitFor.js'

/** One JSON-RPC exchange over a raw socket: the answer to `body` (notifications are collected apart). */
function rawSocket(url: string) {
  const socket = new WebSocket(url)
  const answers = new Map<number, unknown>()
  const notifications: { subscription: string; result: { number: string; hash: string } }[] = []
  socket.on('message', (data) => {
    const message = JSON.parse(String(data))
    if (message.method === 'eth_subscription') notifications.push(message.params)
    else if (Array.isArray(message)) answers.set(message[0].id, message)
    else answers.set(message.id, message)
  })
  let id = 0
  return {
    opened: new Promise((resolve) => socket.once('open', resolve)),
    notifications,
    async call(method: string, params: unknown[] = []) {
      const n = ++id
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: n, method, params }))
      return waitFor(() => answers.get(n) as { result?: unknown; error?: { code: number } } | undefined, {
        timeoutMs: 5_000,
        message: `an answer to ${method}`,
      })
    },
    async batch(methods: string[]) {
      const first = id + 1
      socket.send(JSON.stringify(methods.map((method) => ({ jsonrpc: '2.0', id: ++id, method, params: [] }))))
      return waitFor(() => answers.get(first) as { result: unknown }[] | undefined, {
        timeoutMs: 5_000,
        message: 'an answer to the batch',
      })
    },
    close: () => socket.terminate(),
  }
}

describe('the devchain over WebSocket', () => {
  it('serves every method on its HTTP port, and newHeads to viem watchBlocks', async () => {
    const devchain = await startDevchain({ history: 20, autoMine: false })
    const ws = createPublicClient({ transport: webSocket(devchain.wsUrl, { retryCount: 0 }) })
    const plain = createPublicClient({ transport: http(devchain.url, { retryCount: 0 }) })
    try {
      expect(devchain.wsUrl).toBe(devchain.url.replace('http://', 'ws://'))
      expect(await ws.getBlockNumber({ cacheTime: 0 })).toBe(await plain.getBlockNumber({ cacheTime: 0 }))
      expect(await ws.getBlock({ blockNumber: 5n, includeTransactions: true })).toEqual(
        await plain.getBlock({ blockNumber: 5n, includeTransactions: true }),
      )
      expect(await ws.getFeeHistory({ blockCount: 4, rewardPercentiles: [50] })).toEqual(
        await plain.getFeeHistory({ blockCount: 4, rewardPercentiles: [50] }),
      )

      // viem's watchBlocks over a WebSocket transport subscribes (eth_subscribe newHeads) rather than polls.
      const watched: { number: bigint; hash: string }[] = []
      const unwatch = ws.watchBlocks({
        poll: false,
        onBlock: (block) => watched.push({ number: block.number, hash: block.hash }),
      })
      await waitFor(() => devchain.mine(1) && watched.length > 0, {
        timeoutMs: 5_000,
        message: 'a head pushed',
      })
      const start = devchain.head()
      devchain.mine(3)
      await waitFor(() => watched.some((b) => b.number === BigInt(start + 3)), {
        timeoutMs: 5_000,
        message: 'three more heads pushed',
      })
      unwatch()
      for (let n = start + 1; n <= start + 3; n++) {
        const pushed = watched.find((b) => b.number === BigInt(n))
        expect(pushed?.hash).toBe((await plain.getBlock({ blockNumber: BigInt(n) })).hash)
      }
    } finally {
      await devchain.stop()
    }
  })

  it('answers eth_subscribe / eth_unsubscribe, refuses other subscriptions, and serves batches', async () => {
    const devchain = await startDevchain({ history: 5, autoMine: false })
    const socket = rawSocket(devchain.wsUrl)
    try {
      await socket.opened
      expect((await socket.call('eth_subscribe', ['logs', {}])).error?.code).toBe(-32601)
      const subscribed = await socket.call('eth_subscribe', ['newHeads'])
      const id = subscribed.result as string
      expect(id).toMatch(/^0x[0-9a-f]{32}$/)
      devchain.mine(2)
      await waitFor(() => socket.notifications.length === 2, { timeoutMs: 5_000, message: 'two heads' })
      expect(socket.notifications.map((n) => n.subscription)).toEqual([id, id])
      expect(socket.notifications.map((n) => Number(n.result.number))).toEqual([
        devchain.head() - 1,
        devchain.head(),
      ])
      expect(socket.notifications[0]?.result).not.toHaveProperty('transactions')
      expect((await socket.call('eth_unsubscribe', [id])).result).toBe(true)
      expect((await socket.call('eth_unsubscribe', [id])).result).toBe(false)
      devchain.mine(1)
      const batch = await socket.batch(['eth_blockNumber', 'eth_chainId'])
      expect(batch.map((a) => a.result)).toEqual([
        `0x${devchain.head().toString(16)}`,
        `0x${devchain.chainId.toString(16)}`,
      ])
      expect(socket.notifications.length).toBe(2)
      expect((await socket.call('no_such_method')).error?.code).toBe(-32601)
    } finally {
      socket.close()
      await devchain.stop()
    }
  })
})

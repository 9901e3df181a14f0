import {
  BlockNotFoundError,
  createPublicClient,
  http,
  InvalidInputRpcError,
  InvalidParamsRpcError,
  MethodNotFoundRpcError,
  type PublicClient,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Devchain, startDevchain } from '../../src/devchain/startDevchain.js'
import { effectiveTip } from '../../src/fees/effectiveTip.js'
import { nextBaseFee } from '../../src/fees/nextBaseFee.js'

let devchain: Devchain
let client: PublicClient

const post = async (body: string, init: RequestInit = {}) => {
  const response = await fetch(devchain.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    ...init,
  })
  const text = await response.text()
  return { status: response.status, json: text === '' ? null : JSON.parse(text) }
}

beforeAll(async () => {
  // Paused: the chain only moves when a test mines, so every answer below is about a known head.
  devchain = await startDevchain({ history: 80, autoMine: false, gasLimit: 6_000_000n, seed: 5 })
  client = createPublicClient({ transport: http(devchain.url, { retryCount: 0 }) })
})
afterAll(() => devchain.stop())

describe('devchain JSON-RPC through viem', () => {
  it('names the chain', async () => {
    expect(await client.getChainId()).toBe(1337)
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(79n)
    expect(await client.request({ method: 'net_version' } as never)).toBe('1337')
    expect(await client.request({ method: 'web3_clientVersion' } as never)).toMatch(/^feecast-devchain/)
    expect(await client.request({ method: 'eth_syncing' } as never)).toBe(false)
  })

  it('serves blocks with and without transactions, linked by parentHash', async () => {
    const light = await client.getBlock({ blockNumber: 40n })
    const full = await client.getBlock({ blockNumber: 40n, includeTransactions: true })
    expect(light.hash).toBe(full.hash)
    expect(light.transactions).toEqual(full.transactions.map((tx) => tx.hash))
    expect(full.transactions.length).toBeGreaterThan(0)
    expect(full.gasUsed).toBeLessThanOrEqual(full.gasLimit)
    expect(full.miner).toMatch(/^0x[0-9a-f]{40}$/)
    const types = new Set(full.transactions.map((tx) => tx.type))
    expect(types.has('eip1559')).toBe(true)
    for (const tx of full.transactions) {
      expect(tx.blockHash).toBe(full.hash)
      expect(tx.blockNumber).toBe(40n)
      expect(tx.from).toMatch(/^0x[0-9a-f]{40}$/)
      expect(tx.gas).toBeGreaterThanOrEqual(21_000n)
      if (tx.type === 'eip1559') {
        expect(tx.maxFeePerGas).toBeGreaterThanOrEqual(full.baseFeePerGas!)
        expect(tx.maxPriorityFeePerGas).toBeTypeOf('bigint')
        expect(tx.gasPrice).toBe(
          full.baseFeePerGas! + effectiveTip({ baseFeePerGas: full.baseFeePerGas!, ...tx }),
        )
      } else {
        expect(tx.gasPrice).toBeGreaterThanOrEqual(full.baseFeePerGas!)
      }
    }
    const parent = await client.getBlock({ blockNumber: 39n })
    expect(full.parentHash).toBe(parent.hash)
    expect(full.timestamp).toBeGreaterThanOrEqual(parent.timestamp)
    expect(full.baseFeePerGas).toBe(
      nextBaseFee({
        baseFeePerGas: parent.baseFeePerGas!,
        gasUsed: parent.gasUsed,
        gasLimit: parent.gasLimit,
      }),
    )
    const byHash = await client.getBlock({ blockHash: full.hash, includeTransactions: true })
    expect(byHash).toEqual(full)
  })

  it('resolves block tags', async () => {
    expect((await client.getBlock({ blockTag: 'latest' })).number).toBe(79n)
    expect((await client.getBlock({ blockTag: 'pending' })).number).toBe(79n)
    expect((await client.getBlock({ blockTag: 'earliest' })).number).toBe(0n)
    expect((await client.getBlock({ blockTag: 'safe' })).number).toBe(79n - 32n)
    expect((await client.getBlock({ blockTag: 'finalized' })).number).toBe(79n - 64n)
    const genesis = await client.getBlock({ blockNumber: 0n })
    expect(genesis.parentHash).toBe(`0x${'0'.repeat(64)}`)
  })

  it('answers null (BlockNotFoundError) for blocks it does not have', async () => {
    await expect(client.getBlock({ blockNumber: 80n })).rejects.toBeInstanceOf(BlockNotFoundError)
    await expect(client.getBlock({ blockHash: `0x${'ab'.repeat(32)}` })).rejects.toBeInstanceOf(
      BlockNotFoundError,
    )
  })

  it('serves eth_feeHistory like geth: next base fee, gas used ratio, gas-weighted reward percentiles', async () => {
    const percentiles = [0, 10, 25, 50, 75, 90, 100]
    const history = await client.getFeeHistory({
      blockCount: 10,
      blockTag: 'latest',
      rewardPercentiles: percentiles,
    })
    expect(history.oldestBlock).toBe(70n)
    expect(history.baseFeePerGas).toHaveLength(11)
    expect(history.gasUsedRatio).toHaveLength(10)
    expect(history.reward).toHaveLength(10)
    for (let i = 0; i < 10; i++) {
      const block = await client.getBlock({ blockNumber: 70n + BigInt(i), includeTransactions: true })
      expect(history.baseFeePerGas[i]).toBe(block.baseFeePerGas)
      expect(history.gasUsedRatio[i]).toBeCloseTo(Number(block.gasUsed) / Number(block.gasLimit), 12)
      // Reference (independent of the devchain's code): receipts give each transaction's gas used; sort
      // by tip, and each percentile is the tip at which the running gas reaches floor(gasUsed·p/100).
      const receipts = (await client.request({
        method: 'eth_getBlockReceipts',
        params: [`0x${(70 + i).toString(16)}`],
      } as never)) as { transactionHash: string; gasUsed: string; effectiveGasPrice: string }[]
      expect(receipts).toHaveLength(block.transactions.length)
      const samples = block.transactions
        .map((tx, k) => ({
          tip: effectiveTip({ baseFeePerGas: block.baseFeePerGas!, ...tx }),
          gas: BigInt(receipts[k]!.gasUsed),
        }))
        .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0))
      expect(samples.reduce((sum, x) => sum + x.gas, 0n)).toBe(block.gasUsed)
      const expected = percentiles.map((p) => {
        const threshold = (block.gasUsed * BigInt(p)) / 100n
        let cumulative = 0n
        for (const x of samples) {
          cumulative += x.gas
          if (cumulative >= threshold) return x.tip
        }
        return samples[samples.length - 1]!.tip
      })
      expect(history.reward![i]).toEqual(expected)
    }
    const head = await client.getBlock({ blockNumber: 79n })
    expect(history.baseFeePerGas[10]).toBe(
      nextBaseFee({ baseFeePerGas: head.baseFeePerGas!, gasUsed: head.gasUsed, gasLimit: head.gasLimit }),
    )
  })

  it('clamps eth_feeHistory to the chain and to 1024 blocks, and takes a block number as newest', async () => {
    const all = await client.getFeeHistory({ blockCount: 5000, blockTag: 'latest', rewardPercentiles: [] })
    expect(all.oldestBlock).toBe(0n)
    expect(all.baseFeePerGas).toHaveLength(81)
    expect(all.reward).toBeUndefined()
    const older = await client.getFeeHistory({ blockCount: 3, blockNumber: 20n, rewardPercentiles: [50] })
    expect(older.oldestBlock).toBe(18n)
    const b21 = await client.getBlock({ blockNumber: 21n })
    // Not the head: the last base fee is the next block's own.
    expect(older.baseFeePerGas[3]).toBe(b21.baseFeePerGas)
    const raw = await post('{"jsonrpc":"2.0","id":1,"method":"eth_feeHistory","params":[2,"latest"]}')
    expect(raw.json.result.oldestBlock).toBe('0x4e')
    const zero = await post(
      '{"jsonrpc":"2.0","id":1,"method":"eth_feeHistory","params":["0x0","latest",[50]]}',
    )
    expect(zero.json.result).toEqual({ oldestBlock: '0x0', baseFeePerGas: [], gasUsedRatio: [], reward: [] })
  })

  it('suggests fees like geth', async () => {
    const tip = await client.estimateMaxPriorityFeePerGas()
    expect(tip).toBeGreaterThanOrEqual(2n)
    const head = await client.getBlock()
    expect(await client.getGasPrice()).toBe(head.baseFeePerGas! + tip)
  })

  it('follows the chain as it is mined', async () => {
    const before = devchain.head()
    expect(devchain.mine(2)).toBe(before + 2)
    const block = await client.getBlock({ blockNumber: BigInt(before + 2) })
    const parent = await client.getBlock({ blockNumber: BigInt(before + 1) })
    expect(block.parentHash).toBe(parent.hash)
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(BigInt(before + 2))
  })

  it('rejects bad params (-32602), unknown methods (-32601) and calls beyond the head (-32000)', async () => {
    const call = (method: string, params: unknown[]) => client.request({ method, params } as never)
    await expect(call('eth_getBlockByNumber', ['0x01', false])).rejects.toBeInstanceOf(InvalidParamsRpcError)
    await expect(call('eth_getBlockByNumber', ['banana', false])).rejects.toBeInstanceOf(
      InvalidParamsRpcError,
    )
    await expect(call('eth_getBlockByNumber', ['0x1', 'yes'])).rejects.toBeInstanceOf(InvalidParamsRpcError)
    await expect(call('eth_getBlockByNumber', [])).rejects.toBeInstanceOf(InvalidParamsRpcError)
    await expect(call('eth_getBlockByHash', ['0x1234', false])).rejects.toBeInstanceOf(InvalidParamsRpcError)
    await expect(call('eth_feeHistory', ['0x4', 'latest', [50, 10]])).rejects.toBeInstanceOf(
      InvalidParamsRpcError,
    )
    await expect(call('eth_feeHistory', ['0x4', 'latest', [101]])).rejects.toBeInstanceOf(
      InvalidParamsRpcError,
    )
    await expect(call('eth_feeHistory', ['four', 'latest'])).rejects.toBeInstanceOf(InvalidParamsRpcError)
    await expect(call('eth_sendRawTransaction', ['0x00'])).rejects.toBeInstanceOf(MethodNotFoundRpcError)
    await expect(call('eth_feeHistory', ['0x4', '0xffffff'])).rejects.toBeInstanceOf(InvalidInputRpcError)
    const bad = await post('{"jsonrpc":"2.0","id":3,"method":"eth_getBlockByNumber","params":["0x01",false]}')
    expect(bad.json).toEqual({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32602, message: 'invalid argument 0: hex number with leading zero digits' },
    })
  })

  it('speaks JSON-RPC 2.0 over HTTP: garbage, batches, notifications, verbs', async () => {
    expect(await post('{not json')).toEqual({
      status: 200,
      json: { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
    })
    const batch = await post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 2, method: 'eth_nope' },
        { jsonrpc: '2.0', method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 3, method: 'eth_blockNumber', params: [] },
      ]),
    )
    expect(batch.json).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x539' },
      {
        jsonrpc: '2.0',
        id: 2,
        error: { code: -32601, message: 'the method eth_nope does not exist/is not available' },
      },
      { jsonrpc: '2.0', id: 3, result: `0x${devchain.head().toString(16)}` },
    ])
    expect((await post('[]')).json.error.code).toBe(-32600)
    expect((await post('{"id":1,"method":"eth_chainId"}')).json.error.code).toBe(-32600)
    expect(await post('{"jsonrpc":"2.0","method":"eth_chainId"}')).toEqual({ status: 204, json: null })
    const get = await fetch(devchain.url)
    expect(get.status).toBe(405)
    await get.text()
    const options = await fetch(devchain.url, { method: 'OPTIONS' })
    expect(options.status).toBe(204)
    expect(options.headers.get('access-control-allow-origin')).toBe('*')
  })
})

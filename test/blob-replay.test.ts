import { pino } from 'pino'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BlobSchedule, blobForkAt, mainnetBlobSchedule } from '../src/chains/blobSchedule.js'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { blobBaseFee } from '../src/fees/blobBaseFee.js'
import type { HistoryColumn } from '../src/history/historyCsv.js'
import { createSampler } from '../src/sampler/createSampler.js'
import type { SamplerEvent } from '../src/sampler/samplerEvents.js'
import { readBlocks } from '../src/store/readBlocks.js'
import { syntheticBlobRows } from './helpers/blobHistory.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * A fork boundary inside a replayed window (Cancun → Prague on mainnet's schedule: target 3 → 6, max 6 → 9,
 * a new update fraction): `devchain --replay` serves the file's blob columns (chain id 1), the real sampler
 * backfills them, some through eth_feeHistory's replay and the newest as whole blocks, and checks each block's
 * excess blob gas against the rule of the fork at its own timestamp. With the true schedule every block is
 * stored exactly and none refused; with Prague one slot late the sampler refuses exactly the first Prague
 * block whose excess the Cancun rule does not give (the rule must switch at the right block).
 */
const prague = mainnetBlobSchedule.find((f) => f.name === 'prague')!
const rows = syntheticBlobRows({
  blocks: 200,
  seed: 11,
  firstTimestamp: prague.activationTime - 12 * 100,
  firstNumber: 22_431_000,
  baseFeePerGas: 2_000_000_000n,
  firstExcess: 90_000_000n,
})
const presentColumns: HistoryColumn[] = [
  'number',
  'timestamp',
  'base_fee_per_gas',
  'blob_gas_used',
  'excess_blob_gas',
]
const firstPrague = rows.find((r) => r.timestamp! >= prague.activationTime)!

describe('a fork boundary inside a replayed window', { timeout: 60_000 }, () => {
  let redis: TestRedis
  let devchain: Devchain

  beforeAll(async () => {
    redis = await startTestRedis()
    devchain = await startDevchain({
      port: 0,
      chainId: 1,
      replay: { rows, presentColumns, source: 'synthetic blob rows' },
      history: 'all',
      autoMine: false,
    })
  })
  afterAll(async () => {
    await devchain?.stop()
    await redis?.stop()
  })

  async function sample(chainId: number, blobSchedule?: BlobSchedule) {
    const events: SamplerEvent[] = []
    const sampler = createSampler({
      chainId,
      redis: redis.client(),
      rpcUrls: [devchain.url],
      historyBlocks: 200,
      maxStoredBlocks: 5000,
      // The older 120 through eth_feeHistory (blob history replayed from one header), the newest 80 whole.
      backfillFullBlocks: 80,
      pollIntervalMs: 100,
      leaseTtlMs: 2000,
      logger: pino({ level: process.env.DEBUG_BLOB ? 'debug' : 'silent' }),
      ...(blobSchedule ? { blobSchedule } : {}),
      onEvent: (event) => events.push(event),
    })
    await sampler.start()
    return { events, stop: () => sampler.stop() }
  }

  it('serves the file blob columns, and eth_feeHistory blob fees under each block fork', async () => {
    const node = createPublicClient({ transport: http(devchain.url) })
    const block = await node.getBlock({ blockNumber: BigInt(firstPrague.number) })
    expect(block.excessBlobGas).toBe(firstPrague.excessBlobGas)
    expect(block.blobGasUsed).toBe(firstPrague.blobGasUsed)
    const history = (await node.request({
      method: 'eth_feeHistory',
      params: ['0x4', `0x${(firstPrague.number + 1).toString(16)}`, []],
    } as never)) as { baseFeePerBlobGas: string[] }
    const expected = rows
      .filter((r) => r.number >= firstPrague.number - 2 && r.number <= firstPrague.number + 1)
      .map((r) =>
        blobBaseFee({
          excessBlobGas: r.excessBlobGas!,
          parameters: blobForkAt(mainnetBlobSchedule, r.timestamp!)!,
        }),
      )
    expect(history.baseFeePerBlobGas.slice(0, 4).map((v) => BigInt(v))).toEqual(expected)
  })

  it('with the true schedule: every block stored with its exact blob fields, none refused', async () => {
    const { events, stop } = await sample(1)
    try {
      await waitFor(() => events.some((e) => e.type === 'synced'), { timeoutMs: 30_000, message: 'synced' })
      const stored = await readBlocks(redis.client(), {
        chainId: 1,
        from: rows[0]!.number,
        to: rows.at(-1)!.number,
      })
      expect(stored.length).toBe(rows.length)
      expect(stored.map((r) => r.excessBlobGas)).toEqual(rows.map((r) => r.excessBlobGas))
      expect(stored.map((r) => r.blobGasUsed)).toEqual(rows.map((r) => r.blobGasUsed))
      expect(events.filter((e) => e.type === 'block-rejected')).toEqual([])
    } finally {
      await stop()
    }
  })

  it('with Prague one slot late: the first block the Cancun rule cannot explain is refused as blob-rule', async () => {
    const late = mainnetBlobSchedule.map((f) =>
      f.name === 'prague' ? { ...f, activationTime: f.activationTime + 12 } : f,
    )
    // An unknown chain id so this sampler keeps its own records; the devchain serves chain 1 and the
    // chain-id check would refuse it, so the same rows are replayed under chain 7 by a second devchain.
    const other = await startDevchain({
      port: 0,
      chainId: 7,
      replay: { rows, presentColumns, source: 'synthetic blob rows' },
      // Up to a few blocks before Prague; the rest mined while the sampler follows (a doubtful head is
      // held back until the chain has built on it: refused, with the reason).
      history: 95,
      autoMine: false,
    })
    const events: SamplerEvent[] = []
    const sampler = createSampler({
      chainId: 7,
      redis: redis.client(),
      rpcUrls: [other.url],
      historyBlocks: 90,
      maxStoredBlocks: 5000,
      backfillFullBlocks: 90,
      pollIntervalMs: 100,
      leaseTtlMs: 2000,
      blobSchedule: late,
      logger: pino({ level: 'silent' }),
      onEvent: (event) => events.push(event),
    })
    await sampler.start()
    try {
      await waitFor(() => events.some((e) => e.type === 'synced'), { timeoutMs: 30_000, message: 'synced' })
      other.mine(10)
      const rejected = await waitFor(
        () =>
          events.find(
            (e): e is Extract<SamplerEvent, { type: 'block-rejected' }> => e.type === 'block-rejected',
          ),
        { timeoutMs: 30_000, message: 'a refused block' },
      )
      expect(rejected.reason).toBe('blob-rule')
      // Under the late schedule the first Prague block is Cancun's: its excess (Prague's rule) is refused.
      expect(rejected.block).toBe(firstPrague.number)
      expect(rejected.problem).toMatch(/excess blob gas \d+; cancun's rule gives/)
      const stored = await readBlocks(redis.client(), {
        chainId: 7,
        from: rows[0]!.number,
        to: rows.at(-1)!.number,
      })
      expect(stored.at(-1)!.number).toBe(firstPrague.number - 1)
    } finally {
      await sampler.stop()
      await other.stop()
    }
  })
})

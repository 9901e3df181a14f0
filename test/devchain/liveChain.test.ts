import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPublicClient, http } from 'viem'
import { describe, expect, it } from 'vitest'
import { startDevchain } from '../../src/devchain/startDevchain.js'
import { nextBaseFee } from '../../src/fees/nextBaseFee.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixture = (name: string) => resolve(here, '../fixtures', name)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('a live devchain', () => {
  it('simulates: a block every block time, base fees by EIP-1559, pause / resume / mine', async () => {
    const devchain = await startDevchain({ history: 10, blockTime: 0.1, gasLimit: 3_000_000n })
    try {
      const client = createPublicClient({ transport: http(devchain.url, { retryCount: 0 }) })
      const seen: number[] = []
      devchain.onBlock((b) => seen.push(b.number))
      await sleep(650)
      expect(devchain.head()).toBeGreaterThanOrEqual(12)
      expect(seen[0]).toBe(10)

      devchain.pause()
      expect(devchain.isPaused()).toBe(true)
      const stalled = devchain.head()
      await sleep(350)
      expect(devchain.head()).toBe(stalled)
      expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(BigInt(stalled))
      expect(devchain.mine(3)).toBe(stalled + 3)
      await sleep(250)
      expect(devchain.head()).toBe(stalled + 3)

      devchain.resume()
      await sleep(450)
      expect(devchain.head()).toBeGreaterThan(stalled + 4)

      // Every block of the chain, over RPC: linked, not before its parent, base fee exactly from the parent.
      const head = devchain.head()
      let parent = await client.getBlock({ blockNumber: 0n })
      for (let n = 1n; n <= BigInt(head); n++) {
        const block = await client.getBlock({ blockNumber: n })
        expect(block.parentHash).toBe(parent.hash)
        // Never before the parent, never ahead of the clock (blocks mined in a burst share their second).
        expect(block.timestamp).toBeGreaterThanOrEqual(parent.timestamp)
        expect(block.timestamp).toBeLessThanOrEqual(BigInt(Math.floor(Date.now() / 1000)))
        expect(block.baseFeePerGas).toBe(
          nextBaseFee({
            baseFeePerGas: parent.baseFeePerGas!,
            gasUsed: parent.gasUsed,
            gasLimit: parent.gasLimit,
          }),
        )
        parent = block
      }
    } finally {
      await devchain.stop()
    }
  })

  it('makes the history it was asked for, ending about now, and is the same chain for the same seed', async () => {
    const [a, b] = await Promise.all([
      startDevchain({ history: 30, autoMine: false, seed: 42 }),
      startDevchain({ history: 30, autoMine: false, seed: 42 }),
    ])
    try {
      const [ca, cb] = [a, b].map((d) => createPublicClient({ transport: http(d.url, { retryCount: 0 }) }))
      const [ha, hb] = await Promise.all([
        ca!.getBlock({ includeTransactions: true }),
        cb!.getBlock({ includeTransactions: true }),
      ])
      expect(ha.number).toBe(29n)
      expect(ha.hash).toBe(hb.hash)
      expect(ha.transactions).toEqual(hb.transactions)
      expect(Math.abs(Number(ha.timestamp) - Date.now() / 1000)).toBeLessThan(5)
      const first = await ca!.getBlock({ blockNumber: 0n })
      expect(Number(ha.timestamp - first.timestamp)).toBe(29 * 2)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it('replays at the chosen speed, from the chosen history, and stops at the end of the file', async () => {
    const notices: string[] = []
    // 29 rows 2 s apart; speed 40 makes it 50 ms a block.
    const devchain = await startDevchain({
      replay: fixture('replay-all-columns.csv'),
      history: 5,
      speed: 40,
      onNotice: (m) => notices.push(m),
    })
    try {
      expect(devchain.mode).toBe('replay')
      expect(devchain.head()).toBe(18_000_004)
      await sleep(300)
      const moved = devchain.head()
      expect(moved).toBeGreaterThan(18_000_006)
      expect(moved).toBeLessThan(18_000_031)
      devchain.pause()
      const at = devchain.head()
      // The gap (12..14) is crossed in one step: mine() produces the file's next row.
      expect(devchain.mine(100)).toBe(18_000_031)
      expect(devchain.ended()).toBe(true)
      expect(at).toBeLessThan(18_000_031)
      expect(notices.some((n) => n.includes('reached the end'))).toBe(true)
    } finally {
      await devchain.stop()
    }
  })

  it('continues the same chain after a restart when it has a state directory', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'feecast-devchain-'))
    try {
      const first = await startDevchain({ history: 20, autoMine: false, stateDir, seed: 9 })
      first.mine(5)
      const client1 = createPublicClient({ transport: http(first.url, { retryCount: 0 }) })
      const head = await client1.getBlock({ blockNumber: 24n })
      await first.stop()

      const second = await startDevchain({ history: 20, autoMine: false, stateDir, seed: 9 })
      try {
        const client2 = createPublicClient({ transport: http(second.url, { retryCount: 0 }) })
        // It was down for less than a block time: one new block.
        expect(second.head()).toBe(25)
        const again = await client2.getBlock({ blockNumber: 24n })
        expect(again.hash).toBe(head.hash)
        expect(again.baseFeePerGas).toBe(head.baseFeePerGas)
        const next = await client2.getBlock({ blockNumber: 25n })
        expect(next.parentHash).toBe(head.hash)
        expect(next.timestamp).toBeGreaterThanOrEqual(head.timestamp)
        expect(next.baseFeePerGas).toBe(
          nextBaseFee({ baseFeePerGas: head.baseFeePerGas!, gasUsed: head.gasUsed, gasLimit: head.gasLimit }),
        )
        second.mine(2)
      } finally {
        await second.stop()
      }

      // Another seed is another chain: it starts over.
      const other = await startDevchain({ history: 3, autoMine: false, stateDir, seed: 10 })
      expect(other.head()).toBe(2)
      await other.stop()

      // A replay resumes at the row it had reached.
      const file = fixture('replay-all-columns.csv')
      const replay = await startDevchain({ replay: file, history: 3, autoMine: false, stateDir })
      replay.mine(4)
      const reached = replay.head()
      await replay.stop()
      const resumed = await startDevchain({ replay: file, history: 3, autoMine: false, stateDir })
      expect(resumed.head()).toBe(reached)
      await resumed.stop()
    } finally {
      rmSync(stateDir, { recursive: true, force: true })
    }
  })
})

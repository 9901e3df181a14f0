import { afterAll, describe, expect, it } from 'vitest'
import { startDevchain } from '../../src/devchain/startDevchain.js'
import { feecastBehindHostileRpc } from '../support/feecastBehindHostileRpc.js'
import type { FeecastProcess } from '../support/feecastProcess.js'
import { waitFor } from '../support/waitFor.js'

/**
 * Issue 13, the blob side of the endpoint checks: `feecast start` (the built service) follows a real devchain
 * (chain 1337, whose blob schedule is built in) through a proxy that lies about blobs. A lying eth_config
 * (EIP-7910) does not replace the built-in schedule: it is logged and drops the chain's trust with the reason.
 * An answer that is not an eth_config is refused, with the reason. A block whose excess blob gas no rule of the
 * schedule gives from its parent is refused (held back), counted as a blob-rule refusal, and once the chain has
 * built on it, followed with low trust, never silently.
 */

type Prediction = {
  blockNumber: number
  pendingBlobBaseFeePerGas?: string
  estimates: { maxFeePerBlobGas?: string }[]
  trust: { label: string; reasons: string[] }
}

const hex = (n: bigint | number) => `0x${n.toString(16)}`

const { setUp, cleanUp } = feecastBehindHostileRpc('feecast-blobchecks-', (feecast) =>
  feecast.stop('SIGTERM', 15_000),
)

afterAll(cleanUp)

const predict = async (feecast: FeecastProcess): Promise<Prediction | undefined> => {
  const response = await fetch(`${feecast.url}/predict?chainId=1337`)
  return response.status === 200 ? ((await response.json()) as Prediction) : undefined
}

const metric = async (feecast: FeecastProcess, pattern: RegExp): Promise<number> =>
  Number(pattern.exec(await (await fetch(`${feecast.url}/metrics`)).text())?.[1] ?? 0)

describe('blob answers an endpoint makes up', () => {
  it('a lying eth_config drops the trust, saying why, and the built-in schedule stays in force', async () => {
    const devchain = await startDevchain({ blockTime: 1, history: 128 })
    const { feecast, rpc } = await setUp(devchain, async (call, rpc) => {
      if (call.method !== 'eth_config') return 'forward'
      const { json } = await rpc.forward(call)
      const body = json as { result: { current: { blobSchedule: Record<string, number> } } }
      // Cancun's 3 / 6 blobs where the chain runs 14 / 21.
      body.result.current.blobSchedule.target = 3
      body.result.current.blobSchedule.max = 6
      return { status: 200, body }
    })
    const served = await waitFor(
      async () => {
        const p = await predict(feecast)
        return p?.pendingBlobBaseFeePerGas && p.trust.reasons.some((r) => r.includes('blob schedule'))
          ? p
          : undefined
      },
      {
        timeoutMs: 90_000,
        message: () => `a prediction doubting the blob schedule:\n${feecast.output().slice(-2000)}`,
      },
    )
    expect(served.trust.label).toBe('low')
    const reasons = served.trust.reasons.join('\n')
    expect(reasons).toMatch(/blob schedule: devchain: the node says target 3, the built-in schedule 14/)
    for (const secret of rpc.secrets) expect(reasons).not.toContain(secret)
    // The built-in schedule is the one used: the blob fields are there, from the chain's real rule.
    expect(served.estimates.every((e) => e.maxFeePerBlobGas !== undefined)).toBe(true)
    expect(feecast.output()).toMatch(/blob schedule is doubtful/)
    for (const secret of rpc.secrets) expect(feecast.output()).not.toContain(secret)
  })

  it('an answer that is not an eth_config is refused with the reason', async () => {
    const devchain = await startDevchain({ blockTime: 1, history: 128 })
    const { feecast } = await setUp(devchain, (call) =>
      call.method === 'eth_config'
        ? { result: { current: { activationTime: 0, chainId: '0x1', forkId: '0x00', blobSchedule: null } } }
        : 'forward',
    )
    const served = await waitFor(
      async () => {
        const p = await predict(feecast)
        return p?.trust.reasons.some((r) => r.includes('eth_config refused')) ? p : undefined
      },
      {
        timeoutMs: 90_000,
        message: () => `a prediction saying eth_config was refused:\n${feecast.output().slice(-2000)}`,
      },
    )
    expect(served.trust.reasons.join('\n')).toMatch(/eth_config refused: .*is for chain 1, not 1337/)
    expect(served.trust.label).toBe('low')
  })

  it('an excess blob gas that no rule gives from its parent is refused, then followed with low trust', async () => {
    const devchain = await startDevchain({ blockTime: 1, history: 128 })
    let pivot = Number.POSITIVE_INFINITY
    const { feecast } = await setUp(devchain, async (call, rpc) => {
      if (!['eth_getBlockByNumber', 'eth_getBlockByHash'].includes(call.method)) return 'forward'
      const { json } = await rpc.forward(call)
      const body = json as { result?: Record<string, unknown> | null }
      const block = body.result
      // One block whose excess is a blob's worth too high: plausible, but not what the rule gives.
      if (block && Number(BigInt(block.number as string)) === pivot)
        block.excessBlobGas = hex(BigInt(block.excessBlobGas as string) + 131_072n)
      return { status: 200, body }
    })
    await waitFor(async () => (await predict(feecast))?.pendingBlobBaseFeePerGas !== undefined, {
      timeoutMs: 90_000,
      message: () => `a blob prediction:\n${feecast.output().slice(-2000)}`,
    })
    pivot = devchain.head() + 2
    await waitFor(
      () =>
        metric(feecast, /feecast_blocks_rejected_total\{chain_id="1337",reason="blob-rule"\} (\d+)/).then(
          (n) => n >= 1,
        ),
      { timeoutMs: 30_000, message: 'a blob-rule refusal' },
    )
    const held = await predict(feecast)
    expect(held!.blockNumber).toBeLessThan(pivot)
    const followed = await waitFor(
      async () => {
        const p = await predict(feecast)
        return p && p.blockNumber >= pivot ? p : undefined
      },
      { timeoutMs: 60_000, message: 'the chain followed past the doubtful block' },
    )
    expect(followed.trust.label).toBe('low')
    expect(followed.trust.reasons.join('\n')).toMatch(
      new RegExp(`block ${pivot} has excess blob gas \\d+; devchain's rule gives \\d+ from its parent`),
    )
  })
})

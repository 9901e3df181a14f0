import { afterAll, describe, expect, it } from 'vitest'
import { startDevchain } from '../../src/devchain/startDevchain.js'
import { feecastBehindHostileRpc } from '../support/feecastBehindHostileRpc.js'
import { type FeecastProcess, waitForStatus } from '../support/feecastProcess.js'
import { waitFor } from '../support/waitFor.js'

/**
 * Issue #11 items 4 and 5: what an endpoint says about blocks is checked before it is stored.
 * `feecast start` follows a real devchain (chain 1337, Ethereum's EIP-1559 rule) through a proxy that
 * turns hostile at a block: base fees 1000x their parent's, then 2^256 - 1, then a timestamp a year
 * ahead, then a block a little ahead followed by silence. Nothing implausible is stored or advised,
 * the chain ages into stale and /readyz says why; once the endpoint behaves, the service recovers.
 * A chain whose blocks follow other EIP-1559 parameters than feecast knows is served with low trust.
 */

type Mode = 'pass' | 'jump' | 'max' | 'future' | 'ahead' | 'silent'

type Prediction = {
  blockNumber: number
  timestamp: number
  stale: boolean
  ageMs: number
  estimates: { maxFeePerGasGwei: number }[]
  trust: { label: string; reasons: string[] }
}

const year = 365 * 86_400
const hex = (n: bigint | number) => `0x${n.toString(16)}`

const { setUp, cleanUp } = feecastBehindHostileRpc('feecast-blockchecks-', (feecast) =>
  feecast.stop('SIGKILL'),
)

afterAll(cleanUp)

const predict = async (feecast: FeecastProcess): Promise<Prediction | undefined> => {
  const response = await fetch(`${feecast.url}/predict?chainId=1337`)
  return response.status === 200 ? ((await response.json()) as Prediction) : undefined
}

const metric = async (feecast: FeecastProcess, pattern: RegExp): Promise<number> =>
  Number(pattern.exec(await (await fetch(`${feecast.url}/metrics`)).text())?.[1] ?? 0)

describe('blocks an endpoint makes up', () => {
  it('are refused: nothing implausible is stored or advised, the data ages into stale and /readyz says why', async () => {
    const devchain = await startDevchain({ blockTime: 1, history: 128 })
    let mode: Mode = 'pass'
    let pivot = Number.POSITIVE_INFINITY
    const { feecast } = await setUp(devchain, async (call, rpc) => {
      if (mode === 'silent' && call.method !== 'eth_chainId') return { write: () => {} } // never answered
      if (
        mode === 'pass' ||
        !['eth_getBlockByNumber', 'eth_getBlockByHash', 'eth_feeHistory'].includes(call.method)
      )
        return 'forward'
      const { json } = await rpc.forward(call)
      const body = json as { result?: Record<string, unknown> | null }
      const block = body.result
      if (call.method === 'eth_feeHistory' && block) {
        // Back-filled history gets the same treatment: base fees past the pivot made up.
        const oldest = Number(BigInt(block.oldestBlock as string))
        block.baseFeePerGas = (block.baseFeePerGas as string[]).map((fee, i) =>
          oldest + i > pivot ? (mode === 'max' ? hex(2n ** 256n - 1n) : hex(BigInt(fee) * 1000n)) : fee,
        )
      } else if (block && Number(BigInt(block.number as string)) > pivot) {
        if (mode === 'jump' || mode === 'max') {
          block.baseFeePerGas =
            mode === 'max' ? hex(2n ** 256n - 1n) : hex(BigInt(block.baseFeePerGas as string) * 1000n)
          block.transactions = [] // so the transactions' fee caps do not give it away first
        }
        if (mode === 'future') block.timestamp = hex(BigInt(block.timestamp as string) + BigInt(year))
        if (mode === 'ahead') block.timestamp = hex(BigInt(block.timestamp as string) + 25n)
      }
      return { status: 200, body }
    })

    const fresh = await waitFor(
      async () => {
        const p = await predict(feecast)
        return p && !p.stale ? p : undefined
      },
      { timeoutMs: 90_000, message: () => `a fresh prediction; output:\n${feecast.output().slice(-2000)}` },
    )
    const honestMaxFee = Math.max(...fresh.estimates.map((e) => e.maxFeePerGasGwei))

    // 1000x base fees: refused, never advised.
    pivot = devchain.head()
    mode = 'jump'
    await waitFor(() => devchain.head() >= pivot + 4, { timeoutMs: 30_000, message: 'four more blocks' })
    await new Promise((r) => setTimeout(r, 1_500))
    const during = await predict(feecast)
    expect(during!.blockNumber).toBeLessThanOrEqual(pivot)
    expect(Math.max(...during!.estimates.map((e) => e.maxFeePerGasGwei))).toBeLessThan(honestMaxFee * 3)
    await waitFor(
      () =>
        metric(feecast, /feecast_blocks_rejected_total\{chain_id="1337",reason="base-fee"\} (\d+)/).then(
          (n) => n >= 3,
        ),
      { timeoutMs: 30_000, message: 'three refusals of a 1000x base fee' },
    )

    // 2^256 - 1, until the data is stale: /readyz says which block is refused and why.
    mode = 'max'
    const ready = await waitForStatus(`${feecast.url}/readyz`, 503, 90_000)
    const readyBody = (await ready.json()) as { reasons: string[] }
    expect(readyBody.reasons.join('\n')).toMatch(
      /chain 1337: data \d+ s old, past 30 s: blocks refused for \d+ s/,
    )
    expect(readyBody.reasons.join('\n')).toMatch(/above any plausible value|more than twice/)
    const stale = await predict(feecast)
    expect(stale!.stale).toBe(true)
    expect(stale!.blockNumber).toBeLessThanOrEqual(pivot)
    expect(feecast.output()).toMatch(/block \d+ rejected \(base-fee\)/)

    // The endpoint behaves again: back to serving fresh predictions.
    mode = 'pass'
    await waitForStatus(`${feecast.url}/readyz`, 200, 60_000)

    // A timestamp a year ahead: refused as well.
    pivot = devchain.head()
    mode = 'future'
    await waitFor(
      () =>
        metric(feecast, /feecast_blocks_rejected_total\{chain_id="1337",reason="timestamp"\} (\d+)/).then(
          (n) => n >= 1,
        ),
      { timeoutMs: 30_000, message: 'a refusal of a block from the future' },
    )
    expect(feecast.output()).toMatch(/timestamp \d+ s in the future/)
    mode = 'pass'
    await waitForStatus(`${feecast.url}/readyz`, 200, 60_000)

    // Blocks stamped 25 s ahead (within what clocks may differ by) are stored, and then the endpoint goes
    // silent: freshness also counts from when feecast received the head, so the data goes stale while
    // the head's own timestamp still claims it is fresh.
    pivot = devchain.head()
    mode = 'ahead'
    await waitFor(async () => ((await predict(feecast))?.blockNumber ?? 0) > pivot, {
      timeoutMs: 30_000,
      message: 'a prediction on a block stamped ahead',
    })
    mode = 'silent'
    const silentSince = Date.now()
    const last = await waitFor(
      async () => {
        const p = await predict(feecast)
        return p?.stale ? p : undefined
      },
      { timeoutMs: 90_000, message: 'the data to go stale after the endpoint went silent' },
    )
    const blockAgeMs = Date.now() - last.timestamp * 1000
    console.log(
      `stale ${Math.round((Date.now() - silentSince) / 1000)} s after the endpoint went silent (bound 30 s); the head's own time said ${Math.round(blockAgeMs / 1000)} s old`,
    )
    expect(last.blockNumber).toBeGreaterThan(pivot)
    expect(blockAgeMs).toBeLessThan(30_000)
    expect(last.ageMs).toBeGreaterThan(30_000)
    await waitForStatus(`${feecast.url}/readyz`, 503, 10_000)
  }, 400_000)
})

describe('a chain whose base fees follow other parameters than feecast knows', () => {
  it('is served with low trust, saying why, instead of stalling', async () => {
    // Chain 1337's profile says Ethereum's denominator 8; this chain uses 16 (as a fork might change it).
    const devchain = await startDevchain({
      blockTime: 1,
      history: 128,
      eip1559: { elasticityMultiplier: 2n, baseFeeMaxChangeDenominator: 16n },
    })
    const { feecast } = await setUp(devchain, () => 'forward')
    const served = await waitFor(
      async () => {
        const p = await predict(feecast)
        return p && !p.stale && p.blockNumber > devchain.head() - 5 ? p : undefined
      },
      { timeoutMs: 90_000, message: () => `a fresh prediction; output:\n${feecast.output().slice(-2000)}` },
    )
    expect(served.trust.label).toBe('low')
    expect(served.trust.reasons.join('\n')).toMatch(/blocks no longer follow feecast devchain's known rules/)
    await waitForStatus(`${feecast.url}/readyz`, 200, 10_000)
    expect(await metric(feecast, /feecast_base_fee_rule_matching\{chain_id="1337"\} (\d+)/)).toBe(0)
  }, 180_000)
})

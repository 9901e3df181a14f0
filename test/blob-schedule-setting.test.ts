import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Prediction } from '@feecast/client'
import { createPublicClient, defineChain, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { devchainBlobSchedule } from '../src/chains/blobSchedules.js'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { type FeecastProcess, startFeecast } from './support/feecastProcess.js'
import { waitFor } from './support/waitFor.js'

/**
 * BLOB_SCHEDULE_<chainId> with real parts: the built service (`feecast start`, its sampling worker thread,
 * an embedded redis-server each) on a chain feecast has no built-in blob schedule for, whose node (the
 * devchain, carrying blobs) does not serve eth_config (EIP-7910), as most nodes do not yet. Without the
 * setting it must say nothing of blobs; with it, it predicts blob fees from the configured forks.
 */
const chainId = 31_338

describe('a blob schedule given by BLOB_SCHEDULE_<chainId>', { timeout: 180_000 }, () => {
  let devchain: Devchain
  let work: string
  const started: FeecastProcess[] = []

  beforeAll(async () => {
    devchain = await startDevchain({
      port: 0,
      chainId,
      blockTime: 0.5,
      history: 200,
      seed: 11,
      blobSchedule: devchainBlobSchedule,
      ethConfig: false,
    })
    work = await mkdtemp(join(tmpdir(), 'feecast-blob-setting-'))
  })

  afterAll(async () => {
    for (const feecast of started) await feecast.stop('SIGTERM', 20_000)
    await devchain?.stop()
    if (work) await rm(work, { recursive: true, force: true })
  })

  const start = async (name: string, env: Record<string, string> = {}) => {
    const feecast = await startFeecast({
      env: {
        RPC_URL_31338: devchain.url,
        FEECAST_STATE_DIR: join(work, name),
        RATE_LIMIT_PER_SECOND: '0',
        ...env,
      },
    })
    started.push(feecast)
    return feecast
  }

  const prediction = (feecast: FeecastProcess) =>
    waitFor(
      async () => {
        const response = await fetch(`${feecast.url}/predict?chainId=${chainId}`).catch(() => null)
        return response?.status === 200 ? ((await response.json()) as Prediction) : null
      },
      {
        timeoutMs: 120_000,
        message: () => `a prediction of chain ${chainId}: ${feecast.output().slice(-2000)}`,
      },
    )

  it('the node has blobs but no eth_config: without the setting, no blob field is invented', async () => {
    const node = createPublicClient({
      chain: defineChain({
        id: chainId,
        name: 'devchain',
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
        rpcUrls: { default: { http: [devchain.url] } },
      }),
      transport: http(devchain.url),
    })
    // The premise: blob fields on the node, and no EIP-7910.
    expect(await node.getBlobBaseFee()).toBeGreaterThan(0n)
    await expect(node.request({ method: 'eth_config' } as never)).rejects.toThrow()

    const body = await prediction(await start('unset'))
    expect(body.pendingBlobBaseFeePerGas).toBeUndefined()
    for (const e of body.estimates) expect(e).not.toHaveProperty('maxFeePerBlobGas')
  })

  it('with the setting, predicts maxFeePerBlobGas from the configured forks', async () => {
    const file = join(work, 'schedule.json')
    await writeFile(
      file,
      JSON.stringify({
        forks: devchainBlobSchedule.map((f) => ({
          ...f,
          baseFeeUpdateFraction: String(f.baseFeeUpdateFraction),
        })),
      }),
    )
    const feecast = await start('set', { BLOB_SCHEDULE_31338: file })
    const body = await waitFor(
      async () => {
        const answer = await prediction(feecast)
        return answer.pendingBlobBaseFeePerGas === undefined ? null : answer
      },
      { timeoutMs: 120_000, message: 'a prediction with blob fees' },
    )
    const next = BigInt(body.pendingBlobBaseFeePerGas as string)
    expect(next).toBeGreaterThan(0n)
    const withBlobs = body.estimates.filter((e) => e.maxFeePerBlobGas !== undefined)
    expect(withBlobs.length).toBeGreaterThan(0)
    // A cap for N blocks covers at least the next block's exact fee.
    for (const e of withBlobs) expect(BigInt(e.maxFeePerBlobGas as string)).toBeGreaterThanOrEqual(next)
    // The setting is said in the start log (the file and its forks' numbers), without the endpoint.
    const settings = feecast.logs().find((l) => l.msg === 'starting feecast')?.settings as {
      chains: Array<{
        chainId: number
        blobSchedule?: { file: string; forks: Array<{ name: string; max: number }> }
      }>
    }
    const shown = settings.chains.find((c) => c.chainId === chainId)?.blobSchedule
    expect(shown?.file).toBe(file)
    expect(shown?.forks.map((f) => [f.name, f.max])).toEqual(devchainBlobSchedule.map((f) => [f.name, f.max]))
  })

  it('a file that is not a schedule stops the start with one line naming the variable (exit 2)', async () => {
    const file = join(work, 'broken.json')
    await writeFile(file, '{"forks": [')
    const feecast = await start('broken', { BLOB_SCHEDULE_31338: file })
    expect(await feecast.exited).toBe(2)
    const [line, ...rest] = feecast.stderr().trim().split('\n')
    expect(line).toMatch(
      /^feecast: Invalid configuration: BLOB_SCHEDULE_31338 = .*broken\.json: not valid JSON/,
    )
    // Then only the pointer to the README every configuration error has, not the schedule's own details too.
    expect(rest.filter((l) => l.trim() !== '')).toEqual([
      'Details: See "Configuration" in README.md for every variable and its accepted values.',
    ])
  })

  it('a configured schedule that the node contradicts lowers trust, naming the setting', async () => {
    // A node that serves eth_config, with the devchain's fork; the file says 3 blobs more for its max.
    const node = await startDevchain({
      port: 0,
      chainId: 31_339,
      blockTime: 0.5,
      history: 200,
      seed: 12,
      blobSchedule: devchainBlobSchedule,
    })
    try {
      const file = join(work, 'contradicted.json')
      const forks = devchainBlobSchedule.map((f) => ({
        ...f,
        max: f.max + 3,
        baseFeeUpdateFraction: String(f.baseFeeUpdateFraction),
      }))
      await writeFile(file, JSON.stringify({ forks }))
      const feecast = await start('contradicted', {
        RPC_URL_31339: node.url,
        BLOB_SCHEDULE_31339: file,
      })
      const body = await waitFor(
        async () => {
          const response = await fetch(`${feecast.url}/predict?chainId=31339`).catch(() => null)
          return response?.status === 200 ? ((await response.json()) as Prediction) : null
        },
        {
          timeoutMs: 120_000,
          message: () => `a prediction of chain 31339: ${feecast.output().slice(-2000)}`,
        },
      )
      const max = (devchainBlobSchedule[0] as { max: number }).max
      expect(body.trust.label).not.toBe('high')
      expect(body.trust.reasons).toContain(
        `blob schedule: devchain: the node says max ${max}, the configured schedule (BLOB_SCHEDULE_31339) ${max + 3}`,
      )
    } finally {
      await node.stop()
    }
  })

  it('a schedule whose first fork is still to come is said at start: no blob prediction until then', async () => {
    const file = join(work, 'future.json')
    const forks = devchainBlobSchedule.map((f) => ({
      ...f,
      name: 'next',
      activationTime: 4_000_000_000,
      baseFeeUpdateFraction: String(f.baseFeeUpdateFraction),
    }))
    await writeFile(file, JSON.stringify({ forks }))
    const feecast = await start('future', { BLOB_SCHEDULE_31338: file })
    const warning = await feecast.waitForLog(/^BLOB_SCHEDULE_31338 has no fork in force yet/, 30_000)
    expect(warning).toMatchObject({ chainId, file, fork: 'next', activationTime: 4_000_000_000 })
    const body = await prediction(feecast)
    expect(body.pendingBlobBaseFeePerGas).toBeUndefined()
  })
})

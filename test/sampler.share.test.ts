import { afterAll, describe, it } from 'vitest'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { readLease } from '../src/store/lease.js'
import { startFeecasts } from './support/failoverRun.js'
import type { FeecastProcess } from './support/feecastProcess.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * Sampler replicas share the chains: R = 2 feecast processes, K = 4 chains (four devchains) on one real
 * redis-server. Each leads about K / R; SIGKILL one and the other leads them all once their leases run out.
 */
describe('sampler replicas share the chains', () => {
  let redis: TestRedis | undefined
  let devchains: Devchain[] = []
  let processes: FeecastProcess[] = []
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')))
    await Promise.all(devchains.map((d) => d.stop()))
    await redis?.stop()
  })

  it('two replicas lead two of four chains each; the survivor takes the dead one’s chains over', async () => {
    redis = await startTestRedis()
    const client = redis.client()
    devchains = await Promise.all(
      [910_001, 910_002, 910_003, 910_004].map((chainId, i) =>
        startDevchain({ port: 0, chainId, blockTime: 1, history: 32, seed: 40 + i }),
      ),
    )
    const ttlMs = 2_000
    processes = await startFeecasts(
      2,
      devchains,
      { REDIS_URL: redis.url },
      { LEASE_TTL_MS: String(ttlMs), FEECAST_ROLE: 'sampler' },
    )
    const pids = processes.map((p) => String(p.child.pid))
    let seen: (string | null)[] = []
    const leaders = async () => {
      seen = await Promise.all(
        devchains.map(async (d) => (await readLease(client, { chainId: d.chainId }))?.owner ?? null),
      )
      return seen
    }
    const pidOf = (owner: string | null) => owner?.split(':')[1] ?? null
    // Replicas starting together may first take more than their share; one is handed over per TTL.
    const balanced = await waitFor(
      async () => {
        const owners = (await leaders()).map(pidOf)
        const counts = pids.map((pid) => owners.filter((o) => o === pid).length)
        return counts.every((c) => c === 2) ? owners : undefined
      },
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        message: () => `each replica leading two chains: ${JSON.stringify(seen)}`,
      },
    )
    process.stdout.write(
      `\nleaders of the four chains: ${JSON.stringify(balanced)} (pids ${pids.join(', ')})\n`,
    )
    const [victim, survivor] = processes
    const killedAt = Date.now()
    await victim!.stop('SIGKILL')
    await waitFor(async () => (await leaders()).every((o) => pidOf(o) === String(survivor!.child.pid)), {
      timeoutMs: 30_000,
      intervalMs: 50,
      message: () => `the survivor leading all four: ${JSON.stringify(seen)}`,
    })
    const takeoverMs = Date.now() - killedAt
    process.stdout.write(
      `survivor leads all four chains ${takeoverMs} ms after the SIGKILL (lease TTL ${ttlMs} ms)\n`,
    )
  }, 180_000)
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/lib/freePort.js'
import { type FeecastProcess, startFeecast, waitForStatus } from '../support/feecastProcess.js'
import { startTestRedis, type TestRedis } from '../support/redis.js'
import { waitFor } from '../support/waitFor.js'

/**
 * A chain whose every RPC endpoint is unreachable (a typo in the host, a port a firewall drops): /readyz
 * says so, with the system's reason, instead of blaming the model; and the key in the URL is nowhere.
 * A real feecast process and Redis; the endpoint is a port nothing listens on (connection refused).
 */
describe('a chain whose RPC cannot be reached', () => {
  let redis: TestRedis
  let feecast: FeecastProcess
  const key = 'SECRETKEY999'

  beforeAll(async () => {
    redis = await startTestRedis()
    feecast = await startFeecast({
      env: {
        REDIS_URL: redis.url,
        RPC_URL_1: `http://127.0.0.1:${await freePort()}/v2/${key}`,
      },
    })
    await waitForStatus(`${feecast.url}/healthz`, 200, 60_000)
  }, 90_000)

  afterAll(async () => {
    await feecast?.stop()
    await redis?.stop()
  })

  it('/readyz names the failure (connection refused), not the model, and never the key', async () => {
    const reasons = await waitFor(
      async () => {
        const response = await fetch(`${feecast.url}/readyz`)
        const body = (await response.json()) as { reasons: string[] }
        return response.status === 503 && body.reasons.some((r) => /sampling failing/.test(r))
          ? body.reasons
          : undefined
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        message: () => `a failing sampler in /readyz\n${feecast.output().slice(-2000)}`,
      },
    )
    expect(reasons.join('\n')).toMatch(
      /chain 1: no prediction yet: sampling failing for \d+ s: .*ECONNREFUSED/,
    )
    expect(reasons.join('\n')).not.toMatch(/model not loaded/)
    expect(reasons.join('\n')).not.toContain(key)
    expect(feecast.output()).not.toContain(key)
    expect(feecast.output()).toMatch(/ECONNREFUSED/)
  }, 90_000)
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeConnection } from '../src/store/closeConnection.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

describe('closeConnection on a real redis-server', () => {
  let redis: TestRedis
  beforeAll(async () => {
    redis = await startTestRedis()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('quits: a command already sent still gets its answer', async () => {
    const client = redis.client()
    await client.ping()
    const sent = client.set('close:k', 'v')
    await closeConnection(client, { timeoutMs: 2_000 })
    await expect(sent).resolves.toBe('OK')
    await waitFor(() => client.status === 'end', { timeoutMs: 5_000, message: `still ${client.status}` })
  })

  it('cuts a connection whose Redis does not answer QUIT in time', async () => {
    const client = redis.client()
    await client.ping()
    const pid = redis.server.pid
    if (pid === undefined) throw new Error('redis-server has no pid')
    // Frozen, not gone: the socket stays open and QUIT is never answered.
    process.kill(pid, 'SIGSTOP')
    let closed = false
    try {
      // Resolves although Redis never answers (the test's own timeout is the bound).
      await closeConnection(client, { timeoutMs: 300 })
      closed = true
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    expect(closed).toBe(true)
    // Cut, not left to reconnect.
    await waitFor(() => client.status === 'end', { timeoutMs: 5_000, message: `still ${client.status}` })
  })

  it('cuts at once a connection that is not up', async () => {
    const client = redis.client({ lazyConnect: true })
    expect(client.status).toBe('wait')
    await closeConnection(client, { timeoutMs: 60_000 })
    expect(client.status).toBe('end')
    await waitFor(async () => (await redis.client().ping()) === 'PONG', {
      timeoutMs: 5_000,
      message: 'redis-server did not come back from SIGSTOP',
    })
  })
})

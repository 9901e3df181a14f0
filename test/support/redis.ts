import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis, type RedisOptions } from 'ioredis'
import { type RedisServer, startRedisServer } from '../../src/store/redisServer.js'

export type TestRedis = {
  server: RedisServer
  url: string
  /** A new client, closed by stop(). Defaults match the service: commands wait for a reconnect. */
  client(options?: RedisOptions): Redis
  stop(): Promise<void>
}

/** A real redis-server on a free port, its data in a fresh temporary directory (removed by stop()). */
export async function startTestRedis(): Promise<TestRedis> {
  const dataDir = await mkdtemp(join(tmpdir(), 'feecast-redis-'))
  const server = await startRedisServer({ dataDir })
  const clients: Redis[] = []
  return {
    server,
    url: server.url,
    client(options = {}) {
      const client = new Redis(server.url, {
        maxRetriesPerRequest: null,
        retryStrategy: () => 100,
        ...options,
      })
      client.on('error', () => {}) // reconnects are expected in the fault tests
      clients.push(client)
      return client
    },
    async stop() {
      for (const client of clients) client.disconnect()
      await server.stop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * The API alone in a process, as `npm start` runs it (for tests that signal it and for bench/api.ts).
 * Configuration from the environment (loadConfig: REDIS_URL, PORT, HOST, RATE_LIMIT_*, ...); chains
 * served from `--chains 1,1337`. Tells its parent the port over IPC; on SIGTERM drains and exits 0.
 */
import { Redis } from 'ioredis'
import { createApiServer } from '../../src/api/server.js'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/lib/logger.js'

const config = loadConfig()
const logger = createLogger(config.logLevel)
const chainsArg = process.argv.indexOf('--chains')
const chains = chainsArg > 0 ? (process.argv[chainsArg + 1] ?? '').split(',').map(Number) : undefined
if (!config.redisUrl) throw new Error('REDIS_URL is required')
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null })
redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection error'))
const api = await createApiServer({ config, redis, logger, chains })

process.once('SIGTERM', async () => {
  logger.info('SIGTERM: shutting down')
  await api.close({ deadlineMs: 10_000 })
  await redis.quit().catch(() => redis.disconnect())
  logger.info('stopped')
  process.exit(0)
})
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'memory') {
    ;(globalThis as { gc?: () => void }).gc?.()
    process.send?.({ type: 'memory', ...process.memoryUsage() })
  }
})
process.send?.({ type: 'listening', port: api.port, url: api.url })

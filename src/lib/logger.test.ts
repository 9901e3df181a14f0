import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { childLogger, createLogger } from './logger.js'
import { createRedactor } from './redact.js'

/** Collects a logger's lines (pino writes them synchronously to a plain stream). */
function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { lines, stream }
}

describe('createLogger', () => {
  it('writes no configured secret, even inside a message quoted from upstream', () => {
    const { lines, stream } = capture()
    const redact = createRedactor({ urls: ['https://rpc.example/v2/k3ySECRET99'] })
    const logger = createLogger('info', {}, { redact, destination: stream })
    logger.warn({ err: 'invalid project id k3ySECRET99' }, 'rpc call failed for k3ysecret99')
    childLogger(logger, { component: 'sampler' }).error({ url: 'https://rpc.example/v2/k3ySECRET99' }, 'x')
    expect(lines).toHaveLength(2)
    expect(lines.join('\n')).not.toMatch(/k3ySECRET99/i)
    expect(JSON.parse(lines[0]!).err).toBe('invalid project id ***')
  })

  it('childLogger replaces a bound key instead of writing it twice', () => {
    const { lines, stream } = capture()
    const root = createLogger('info', {}, { destination: stream })
    const api = childLogger(root, { component: 'api' })
    const feed = childLogger(api, { component: 'prediction-feed', chainId: 1 })
    feed.info('x')
    expect(lines[0]!.match(/"component"/g)).toHaveLength(1)
    expect(lines[0]!.match(/"service"/g)).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({
      component: 'prediction-feed',
      chainId: 1,
      service: 'feecast',
    })
  })

  it('childLogger keeps the first value on a logger it did not make, still without a duplicate', () => {
    const { lines, stream } = capture()
    const foreign = pino({ base: {} }, stream)
    childLogger(childLogger(foreign, { component: 'api' }), { component: 'feed' }).info('x')
    expect(lines[0]!.match(/"component"/g)).toHaveLength(1)
  })
})

describe('flushLogsSync', () => {
  /** A node process whose worker thread logs its last line and exits at once, flushing or not; its stdout. */
  const lastLineOfAWorker = (flush: boolean) => {
    const logger = new URL('./logger.ts', import.meta.url).href
    const script = `
      import { Worker, isMainThread } from 'node:worker_threads'
      if (isMainThread) new Worker(new URL(import.meta.url))
      else {
        // The TypeScript through tsx's loader, registered in this thread.
        const { register } = await import('tsx/esm/api')
        register()
        const { createLogger, flushLogsSync } = await import('${logger}')
        const log = createLogger('info')
        log.info('first')
        // Time for that line's write (a thread-pool write) to land; 20 ms was little for a starved process.
        await new Promise((resolve) => setTimeout(resolve, 250))
        // Enough that some are still in pino's buffer at exit, behind a write in flight.
        for (let i = 0; i < 2000; i++) log.info({ i, padding: 'x'.repeat(500) }, 'busy')
        log.info('last before exit')
        if (${flush}) flushLogsSync(log)
        process.exit(0)
      }`
    // Under node_modules, so that the script finds tsx.
    const dir = mkdtempSync(
      join(fileURLToPath(new URL('../../node_modules/', import.meta.url)), '.feecast-logger-'),
    )
    const file = join(dir, 'worker.mjs')
    writeFileSync(file, script)
    try {
      return execFileSync(process.execPath, [file], {
        encoding: 'utf8',
        timeout: 20_000,
        maxBuffer: 64 * 1024 * 1024,
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it("writes a worker thread's last line before process.exit, which pino alone loses", () => {
    expect(lastLineOfAWorker(true)).toContain('last before exit')
    // The loss it exists for: without it the line is gone (if pino ever flushes by itself, this says so).
    const unflushed = lastLineOfAWorker(false)
    expect(unflushed).toContain('first')
    expect(unflushed).not.toContain('last before exit')
  }, 60_000)
})

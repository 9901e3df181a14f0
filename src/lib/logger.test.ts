import { Writable } from 'node:stream'
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

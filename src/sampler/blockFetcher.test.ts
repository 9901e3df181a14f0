import { createPublicClient, http, type PublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Devchain, startDevchain } from '../devchain/startDevchain.js'
import { createLogger } from '../lib/logger.js'
import { createBlockFetcher } from './blockFetcher.js'
import { BlockUnavailableError, OlderBlocksUnavailableError } from './errors.js'

// A real devchain that keeps only its newest 50 blocks (older ones read as null, as from a pruned node).
let devchain: Devchain
let client: PublicClient

beforeAll(async () => {
  devchain = await startDevchain({ history: 40, autoMine: false, retainBlocks: 50 })
  client = createPublicClient({ transport: http(devchain.url, { retryCount: 0 }) }) as PublicClient
})
afterAll(() => devchain.stop())

const fetcher = () => createBlockFetcher({ client, logger: createLogger('silent') })

/** Whether `promise` rejects with an OlderBlocksUnavailableError, and its fields. */
const olderMissing = async (promise: Promise<number>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(OlderBlocksUnavailableError)
  return error as OlderBlocksUnavailableError
}

describe('oldestServed', () => {
  it('is the first block asked for when the node has it', async () => {
    const head = devchain.head()
    expect(await fetcher().oldestServed(head - 10, head)).toBe(head - 10)
  })

  it('finds the oldest block a pruned node serves, and leaves the run below it as a gap on the third ask', async () => {
    devchain.mine(100)
    const head = devchain.head()
    const oldest = head - 49
    const blocks = fetcher()
    const first = await olderMissing(blocks.oldestServed(head - 120, head))
    expect(first).toMatchObject({ from: head - 120, oldestServed: oldest })
    expect(first.shortMessage).toContain('asked 1 time(s)')
    expect((await olderMissing(blocks.oldestServed(head - 120, head))).shortMessage).toContain(
      'asked 2 time(s)',
    )
    expect(await blocks.oldestServed(head - 120, head)).toBe(oldest)
    // Once left as a gap, the same run is not asked about three times again.
    expect(await blocks.oldestServed(head - 120, head)).toBe(oldest)
  })

  it('counts the run across retries while its ends move with the head', async () => {
    devchain.mine(100)
    const blocks = fetcher()
    const from = devchain.head() - 120
    await olderMissing(blocks.oldestServed(from, devchain.head()))
    devchain.mine(3)
    const second = await olderMissing(blocks.oldestServed(from, devchain.head()))
    expect(second.shortMessage).toContain('asked 2 time(s)')
    devchain.mine(3)
    expect(await blocks.oldestServed(from, devchain.head())).toBe(devchain.head() - 49)
  })

  it('starts counting again once the start is served', async () => {
    const blocks = fetcher()
    const head = devchain.head()
    await olderMissing(blocks.oldestServed(head - 100, head))
    expect(await blocks.oldestServed(head - 20, head)).toBe(head - 20)
    expect((await olderMissing(blocks.oldestServed(head - 100, head))).shortMessage).toContain(
      'asked 1 time(s)',
    )
  })

  it('counts a node that serves nothing of the range (not even its head) like a missing block', async () => {
    const blocks = fetcher()
    const beyond = devchain.head() + 5
    await expect(blocks.oldestServed(beyond - 2, beyond)).rejects.toBeInstanceOf(BlockUnavailableError)
    await expect(blocks.oldestServed(beyond - 2, beyond)).rejects.toBeInstanceOf(BlockUnavailableError)
    expect(await blocks.oldestServed(beyond - 2, beyond)).toBe(beyond + 1)
  })
})

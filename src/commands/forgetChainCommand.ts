import { join } from 'node:path'
import { loadConfig } from '../config.js'
import { closeConnection } from '../store/closeConnection.js'
import { connectStore, type StoreTarget } from '../store/connect.js'
import { DirectoryInUseError } from '../store/errors.js'
import { forgetChain } from '../store/forgetChain.js'
import { readChainIds } from '../store/readChainIds.js'
import { readStoredChain } from '../store/readStoredChain.js'
import type { StoreClient } from '../store/scripts.js'
import { CommandOptionError } from './errors.js'

/** Options as commander hands them over (src/cli.ts declares them). */
export type ForgetChainCommandOptions = {
  chainId: string
  /** Delete: without it, says what would be deleted and deletes nothing. */
  yes?: boolean
}

/**
 * `feecast forget-chain --chain-id N --yes`: deletes one chain's stored history (and what was derived from
 * it: features, predictions, calibration, health), for a chain that was really reset (a devnet restarted
 * from genesis, a regenesis), which the sampler otherwise refuses as a reorg too deep until its history is
 * gone. It uses the Redis `feecast start` uses (REDIS_URL, Sentinel or Cluster settings; else the embedded
 * one under FEECAST_STATE_DIR, which only a stopped feecast lets it open). A running sampler backfills the
 * chain from its node at its next attempt. Without --yes it says what it would delete, and exits 1.
 */
export async function runForgetChainCommand(options: ForgetChainCommandOptions): Promise<void> {
  const chainId = chainIdOption(options.chainId)
  const config = loadConfig()
  const store = await openStore(config.store, config.stateDir)
  try {
    const stored = await readStoredChain(store.redis, { chainId })
    if (stored.blocks === 0 && stored.head === null) {
      const others = (await readChainIds(store.redis)).filter((id) => id !== chainId)
      throw new CommandOptionError(
        `nothing is stored for chain ${chainId} (chains with predictions stored: ${others.join(', ') || 'none'})`,
      )
    }
    const what = `chain ${chainId}: ${stored.blocks} block(s) stored${stored.oldest === null ? '' : ` from ${stored.oldest}`}, head ${stored.head?.number ?? 'none'} (${stored.head?.hash ?? 'no hash'})`
    if (!options.yes) {
      process.stdout.write(
        `${what}\nnothing deleted: run again with --yes to forget this chain's stored history (only if the chain was reset)\n`,
      )
      process.exitCode = 1
      return
    }
    const { deleted } = await forgetChain(store.redis, { chainId })
    process.stdout.write(
      `${what}\nforgot chain ${chainId}: deleted ${deleted.join(', ')}\nits sampler backfills it from the node at its next attempt (or at start), as far back as the node serves blocks; a running predictor writes its calibration back (stop feecast first to start calibration over)\n`,
    )
  } finally {
    await store.close()
  }
}

/** `--chain-id`: a positive decimal integer. */
function chainIdOption(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0)
    throw new CommandOptionError(`--chain-id ${JSON.stringify(value)} is not a chain id (a positive integer)`)
  return n
}

type OpenStore = { redis: StoreClient; close: () => Promise<void> }

/** The configured Redis, or the embedded one started on its data directory (refused while a feecast holds it). */
async function openStore(target: StoreTarget | undefined, stateDir: string): Promise<OpenStore> {
  if (target) return connected(target, async () => {})
  const { startRedisServer } = await import('../store/redisServer.js')
  const server = await startRedisServer({ dataDir: join(stateDir, 'redis') }).catch((error: unknown) => {
    if (error instanceof DirectoryInUseError)
      throw new CommandOptionError(
        `the embedded Redis under FEECAST_STATE_DIR = "${stateDir}" is in use by a running feecast (pid ${error.holder}): stop it first, then forget the chain`,
      )
    throw error
  })
  return connected({ kind: 'url', url: server.url }, () => server.stop())
}

function connected(target: StoreTarget, stop: () => Promise<void>): OpenStore {
  // Fails a command at once while Redis is unreachable rather than waiting for it forever.
  const redis = connectStore(target, { offlineQueue: true, maxRetriesPerRequest: 2 })
  return {
    redis,
    close: async () => {
      await closeConnection(redis, { timeoutMs: 2_000 })
      await stop()
    },
  }
}

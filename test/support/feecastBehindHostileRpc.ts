import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Devchain } from '../../src/devchain/startDevchain.js'
import { type FeecastProcess, startFeecast } from './feecastProcess.js'
import { type HostileRpc, type RpcCall, startHostileRpc } from './hostileRpc.js'

export type FeecastBehindHostileRpc = {
  /**
   * A feecast (its own state directory, no retries, 2 s RPC timeout, 500 ms polls) whose only endpoint is a
   * hostile RPC in front of the devchain, answering each call as `answer` says. `env` adds settings.
   */
  setUp(
    devchain: Devchain,
    answer: (call: RpcCall, rpc: HostileRpc) => unknown,
    env?: Record<string, string>,
  ): Promise<{ rpc: HostileRpc; feecast: FeecastProcess }>
  /** Stops everything set up (feecasts with `stop`), then removes the work directory. */
  cleanUp(): Promise<void>
}

/** The hardening tests' fixture: feecasts behind hostile endpoints, cleaned up together. */
export function feecastBehindHostileRpc(
  prefix: string,
  stop: (feecast: FeecastProcess) => Promise<unknown>,
): FeecastBehindHostileRpc {
  let work: string | undefined
  const cleanups: Array<() => Promise<unknown>> = []
  return {
    async setUp(devchain, answer, env = {}) {
      work ??= await mkdtemp(join(tmpdir(), prefix))
      let rpc: HostileRpc | undefined
      rpc = await startHostileRpc({
        upstream: devchain.url,
        answer: async (call) => (await answer(call, rpc!)) as never,
      })
      const feecast = await startFeecast({
        env: {
          RPC_URL_1337: rpc.url,
          FEECAST_STATE_DIR: join(work, `state-${cleanups.length}`),
          RPC_RETRIES: '0',
          RPC_TIMEOUT_MS: '2000',
          POLL_INTERVAL_MS: '500',
          ...env,
        },
      })
      cleanups.push(
        () => devchain.stop(),
        () => rpc!.stop(),
        () => stop(feecast),
      )
      return { rpc, feecast }
    },
    async cleanUp() {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
      // A SIGKILLed feecast's redis-server is stopped by its watcher and may still be writing its files:
      // removing the directory is retried (ENOTEMPTY) instead of failing the file after every test passed.
      if (work) await rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
    },
  }
}

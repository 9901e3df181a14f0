import { LeaseNotHeldError } from '../store/errors.js'
import type { FollowOutcome, FollowStep } from './followHeads.js'
import { jitteredDelay } from './jitteredDelay.js'
import type { LeaseKeeper } from './leaseKeeper.js'

export type CreateSamplerLoopParameters = {
  keeper: LeaseKeeper
  /** The sync step (backfill, or the gap since the stored head). */
  sync: () => Promise<void>
  follow: FollowStep
  pollIntervalMs: number
  /** Between polls: the poll interval, or while a head subscription is live the time it may stay silent. */
  waitMs: () => number
  /** Between attempts to take the lease while another replica holds it. */
  acquireIntervalMs: number
  /** An iteration failed (other than by a lost lease): report it. `failures` counts them in a row. */
  onFailure: (error: unknown, failures: number) => void
}

export type SamplerLoop = {
  /** Runs until stop(): lease, sync, follow, and again. Never throws. */
  run(): Promise<void>
  /** Ends run() at the next block boundary, waking it from any wait. */
  stop(): void
  /** Syncs again before following (the lease changed hands). */
  resync(): void
  /** Ends the wait between polls now (a new head was notified): the next poll starts at once. */
  wake(): void
  readonly stopping: boolean
}

/**
 * The sampler's loop: hold the lease (or wait for it), sync once, then follow new heads. Any failure
 * (RPC, Redis, lease, a refused block) ends the iteration: it syncs again from what is stored after a
 * jittered backoff, so nothing is skipped and nothing is written twice.
 * (Long as a whole: its short inner functions share the loop's state.)
 */
export function createSamplerLoop({
  keeper,
  sync,
  follow,
  pollIntervalMs,
  waitMs,
  acquireIntervalMs,
  onFailure,
}: CreateSamplerLoopParameters): SamplerLoop {
  let stopping = false
  let synced = false
  /** A head was notified while no wait was in progress: the next wait ends at once. */
  let woken = false
  const sleepers = new Set<() => void>()
  const pollSleepers = new Set<() => void>()

  const sleep = (ms: number, wakeable = false) =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve()
      if (wakeable && woken) {
        woken = false
        return resolve()
      }
      const done = () => {
        clearTimeout(timer)
        sleepers.delete(done)
        pollSleepers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      sleepers.add(done)
      if (wakeable) pollSleepers.add(done)
    })

  /** One pass: 'standby' while another replica holds the lease, else how the follow step ended. */
  const iterate = async (): Promise<'standby' | FollowOutcome> => {
    if (!(await keeper.ensure())) return 'standby'
    if (!synced) {
      await sync()
      synced = !stopping
    }
    const outcome = await follow.once()
    if (outcome === 'resync') synced = false
    return outcome
  }

  return {
    async run() {
      stopping = false
      let failures = 0
      while (!stopping) {
        try {
          const outcome = await iterate()
          if (outcome === 'standby') {
            await sleep(acquireIntervalMs)
            continue
          }
          failures = 0
          if (outcome === 'wait') await sleep(waitMs(), true)
        } catch (error) {
          failures++
          // Start over from what is stored: after a Redis restart or a reorg race the local view may be stale.
          synced = false
          if (error instanceof LeaseNotHeldError) continue
          onFailure(error, failures)
          await sleep(jitteredDelay(failures, 200, Math.max(2_000, pollIntervalMs * 2)))
        }
      }
    },
    stop() {
      stopping = true
      for (const wake of [...sleepers]) wake()
    },
    resync() {
      synced = false
    },
    wake() {
      if (pollSleepers.size === 0) woken = true
      for (const wake of [...pollSleepers]) wake()
    },
    get stopping() {
      return stopping
    },
  }
}

import type { BlockSource } from './blockSources.js'

export type CreateBlockClockParameters = {
  /** When the next block is due (its nextDelayMs after the last one). */
  source: Pick<BlockSource, 'nextDelayMs'>
  /** Makes the next block now; false when there is none (the end of a replay, announced by `produce`). */
  produce: () => boolean
  /** Start paused: blocks only through mine(). */
  paused: boolean
}

export type BlockClock = {
  /** Stops producing blocks (the chain looks stalled). */
  pause(): void
  resume(): void
  isPaused(): boolean
  /** Produces up to `blocks` blocks now, paused or not; the next is due a block time later. */
  mine(blocks: number): void
  stop(): void
}

/** Blocks made at most per tick when catching up (a fast replay, or a slow event loop). */
const maxBlocksPerTick = 1000

/**
 * The block clock: produces the source's blocks when they are due. Due times count from an anchor
 * (when the head is taken to have arrived) rather than from each timer firing, so a late timer does
 * not slow the chain down: the blocks that are due are made at once.
 */
export function createBlockClock({
  source,
  produce,
  paused: startPaused,
}: CreateBlockClockParameters): BlockClock {
  let paused = startPaused
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let anchor = Date.now()

  const schedule = () => {
    clearTimeout(timer)
    timer = undefined
    if (paused || stopped) return
    const delay = source.nextDelayMs()
    if (delay === undefined) {
      produce() // announces the end
      return
    }
    timer = setTimeout(tick, Math.max(0, anchor + delay - Date.now()))
    timer.unref()
  }

  const tick = () => {
    for (let i = 0; i < maxBlocksPerTick; i++) {
      const delay = source.nextDelayMs()
      if (delay === undefined || anchor + delay > Date.now()) break
      if (!produce()) break
      anchor += delay
    }
    schedule()
  }

  schedule()
  return {
    pause() {
      paused = true
      schedule()
    },
    resume() {
      if (!paused) return
      paused = false
      anchor = Date.now()
      schedule()
    },
    isPaused: () => paused,
    mine(blocks) {
      for (let i = 0; i < blocks; i++) if (!produce()) break
      anchor = Date.now()
      schedule()
    },
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}

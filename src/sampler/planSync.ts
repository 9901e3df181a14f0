export type PlanSyncParameters = {
  /** the node's newest block */
  latest: number
  /** the highest stored block, null when nothing is stored */
  storedHead: number | null
  historyBlocks: number
  backfillFullBlocks: number
  /** The oldest block the node serves: those below it are a gap, not fetched (default: all served). */
  oldestServed?: number
  /** eth_feeHistory's largest block count (1024 on geth and hardhat) */
  feeHistoryLimit?: number
}

export type SyncPlan = {
  /** eth_feeHistory calls, oldest first: `count` blocks ending at `newest` */
  feeHistory: { newest: number; count: number }[]
  /** blocks fetched whole (for their tips), or null */
  full: { from: number; to: number } | null
}

/**
 * What to fetch to bring the store up to `latest`: the last `historyBlocks` blocks, less what is stored. After
 * a restart that is the gap since the stored head (a gap longer than the history window is not filled: older
 * stored records stay, and a window is a run of consecutive numbers). The newest `backfillFullBlocks` of it are
 * fetched whole, the rest through eth_feeHistory. Blocks below the oldest the node serves are left out (a gap),
 * so the whole-block window holds only blocks the node has. Oldest first, so the stored head only grows.
 */
export function planSync({
  latest,
  storedHead,
  historyBlocks,
  backfillFullBlocks,
  oldestServed = 0,
  feeHistoryLimit = 1024,
}: PlanSyncParameters): SyncPlan {
  let from = Math.max(0, latest - historyBlocks + 1, oldestServed)
  if (storedHead !== null) from = Math.max(from, storedHead + 1)
  if (from > latest) return { feeHistory: [], full: null }
  const fullFrom = Math.max(from, latest - backfillFullBlocks + 1)
  const feeHistory: SyncPlan['feeHistory'] = []
  for (let start = from; start < fullFrom; start += feeHistoryLimit) {
    const newest = Math.min(fullFrom - 1, start + feeHistoryLimit - 1)
    feeHistory.push({ newest, count: newest - start + 1 })
  }
  return { feeHistory, full: fullFrom <= latest ? { from: fullFrom, to: latest } : null }
}

/**
 * The first block a sync reads: the stored head (to compare with the node's), or with nothing stored the
 * oldest of the history window.
 */
export function syncStart({
  latest,
  storedHead,
  historyBlocks,
}: Pick<PlanSyncParameters, 'latest' | 'storedHead' | 'historyBlocks'>): number {
  return storedHead === null ? Math.max(0, latest - historyBlocks + 1) : Math.min(storedHead, latest)
}

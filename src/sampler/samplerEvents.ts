/** How a stored record came: backfilled history, a new head, or a rewrite after a reorg. */
export type RecordKind = 'backfill' | 'head' | 'reorg'

export type SamplerRole = 'stopped' | 'standby' | 'leader'

/** What a sampler reports to its onEvent hook (metrics, the predictor, tests). */
export type SamplerEvent =
  | { type: 'leader'; token: string }
  | { type: 'standby'; holder: string | null }
  | { type: 'lease-lost' }
  | { type: 'synced'; head: number; written: number }
  | { type: 'reorg'; ancestor: number; oldHead: number; newHead: number; replaced: number }
  | { type: 'error'; phase: string; error: unknown }
  /** A block was refused (each attempt): a future timestamp, an impossible base fee, a rule mismatch held back. */
  | { type: 'block-rejected'; block: number; reason: string; problem: string }
  /** The chain's blocks stopped (false) or went back to (true) following its known base-fee rule. */
  | { type: 'base-fee-rule'; matching: boolean; problem: string | null }
  /** The new-head subscription went live (heads are pushed) or ended (the sampler polls until it is back). */
  | { type: 'head-subscription'; live: boolean; endpoint: string; reason: string }
  | { type: 'stopped' }

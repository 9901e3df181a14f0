import { type Eip1559Parameters, ethereumEip1559 } from '../fees/nextBaseFee.js'

/** What feecast knows about a chain: its fee rules and how fresh its data must be. */
export type ChainProfile = {
  id: number
  name: string
  /** Typical seconds between blocks; sets the freshness bound and the devchain's pace. */
  blockTimeSeconds: number
  /** Data older than this is stale: the API says so instead of answering as if fresh. */
  freshnessSeconds: number
  eip1559: Eip1559Parameters
  /** Lowest tip the chain's validators accept (Polygon enforces 25 gwei, later 30). */
  minTipWei: bigint
  /** Sequencer chains (Arbitrum) order first-come first-served: the tip buys nothing. */
  ignoresTips: boolean
  /** OP-stack chains charge an L1 data fee on top of L2 gas. */
  opStack: boolean
  /**
   * How the chain sets each block's base fee, so feecast can check what an endpoint says:
   * - 'eip1559': from the parent by `eip1559` (exact integer arithmetic);
   * - 'op-stack': from the parent by the parameters in the parent's extraData (Holocene, Jovian's minimum
   *   base fee), else `eip1559`;
   * - 'unknown': feecast does not know the rule (sequencer pricing, unlisted chains): base fees are only
   *   checked for plausibility, and predictions carry low trust.
   */
  baseFeeRule: 'eip1559' | 'op-stack' | 'unknown'
}

const gwei = 1_000_000_000n

/** Frozen: every caller of a chain shares its one profile, so none may change it for the others. */
const profile = (
  p: Partial<ChainProfile> & Pick<ChainProfile, 'id' | 'name' | 'blockTimeSeconds'>,
): ChainProfile =>
  Object.freeze({
    freshnessSeconds: Math.max(30, p.blockTimeSeconds * 5),
    eip1559: ethereumEip1559,
    minTipWei: 0n,
    ignoresTips: false,
    opStack: false,
    baseFeeRule: p.opStack ? 'op-stack' : 'eip1559',
    ...p,
  })

/** The embedded devchain's id (feecast's own: no public chain uses it). */
export const devchainId = 1337

export const knownChains: Record<number, ChainProfile> = {
  1: profile({ id: 1, name: 'Ethereum', blockTimeSeconds: 12 }),
  10: profile({
    id: 10,
    name: 'OP Mainnet',
    blockTimeSeconds: 2,
    opStack: true,
    eip1559: { elasticityMultiplier: 6n, baseFeeMaxChangeDenominator: 250n },
  }),
  137: profile({
    id: 137,
    name: 'Polygon PoS',
    blockTimeSeconds: 2,
    minTipWei: 30n * gwei,
    eip1559: { elasticityMultiplier: 2n, baseFeeMaxChangeDenominator: 16n },
  }),
  8453: profile({
    id: 8453,
    name: 'Base',
    blockTimeSeconds: 2,
    opStack: true,
    eip1559: { elasticityMultiplier: 6n, baseFeeMaxChangeDenominator: 250n },
  }),
  // ArbOS prices gas from its backlog, not by EIP-1559 from the parent.
  42161: profile({
    id: 42161,
    name: 'Arbitrum One',
    blockTimeSeconds: 1,
    ignoresTips: true,
    baseFeeRule: 'unknown',
  }),
  31337: profile({ id: 31337, name: 'Hardhat', blockTimeSeconds: 2 }),
  [devchainId]: profile({ id: devchainId, name: 'feecast devchain', blockTimeSeconds: 2 }),
}

/**
 * Profiles made for chains not listed above, kept: every answer for such a chain reads its profile, and
 * made per request it was an object and a name each time. Chains served come from the configuration and
 * Redis (a handful); the bound only keeps a caller looping over ids from growing it without end.
 */
const madeProfiles = new Map<number, ChainProfile>()
const maxMadeProfiles = 1_024

/** The profile of a chain; unknown chains get Ethereum's generic model, and an unknown base-fee rule. */
export function chainProfile(chainId: number): ChainProfile {
  const known = knownChains[chainId] ?? madeProfiles.get(chainId)
  if (known !== undefined) return known
  const made = profile({
    id: chainId,
    name: `chain ${chainId}`,
    blockTimeSeconds: 12,
    baseFeeRule: 'unknown',
  })
  if (madeProfiles.size >= maxMadeProfiles) madeProfiles.clear()
  madeProfiles.set(chainId, made)
  return made
}

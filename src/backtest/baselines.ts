/**
 * What wallets do today: a fixed multiple of the latest block's base fee (before adding the tip).
 * viem's estimateFeesPerGas: 1.2x; ethers v6 getFeeData: 2x; MetaMask's fallback when its fee API is
 * down: 1.10x / 1.20x / 1.25x for low / medium / high. None states a probability.
 */
export type Baseline = { name: string; multiplier: number }

export const baselines: readonly Baseline[] = [
  { name: 'viem', multiplier: 1.2 },
  { name: 'ethers', multiplier: 2 },
  { name: 'metamask-low', multiplier: 1.1 },
  { name: 'metamask-medium', multiplier: 1.2 },
  { name: 'metamask-high', multiplier: 1.25 },
]

import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The real client libraries of test/compat/ (installed by scripts/install-compat-clients.mjs, which
 * `npm test` runs). A test that needs them fails, loudly, when they are missing: it never skips.
 */
const compat = dirname(fileURLToPath(import.meta.url))
const compatRequire = createRequire(join(compat, 'package.json'))

function load<T>(what: string, path: string): T {
  const resolved = path.startsWith('/') ? path : compatRequire.resolve(path)
  if (!existsSync(resolved))
    throw new Error(
      `${what} is not installed in test/compat: run \`node scripts/install-compat-clients.mjs\``,
    )
  return compatRequire(resolved) as T
}

export type MetaMaskTier = {
  suggestedMaxPriorityFeePerGas: string
  suggestedMaxFeePerGas: string
  minWaitTimeEstimate: number
  maxWaitTimeEstimate: number
}
export type MetaMaskEstimates = {
  low: MetaMaskTier
  medium: MetaMaskTier
  high: MetaMaskTier
  estimatedBaseFee: string
  networkCongestion: number
  latestPriorityFeeRange: [string, string] | null
  historicalPriorityFeeRange: [string, string] | null
  historicalBaseFeeRange: [string, string] | null
  priorityFeeTrend: string | null
  baseFeeTrend: string | null
}

/** @metamask/gas-fee-controller's gas-util module (the functions MetaMask runs on a fee API's answer). */
export type MetaMaskGasUtil = {
  fetchGasEstimates(url: string, clientId?: string): Promise<MetaMaskEstimates>
  fetchLegacyGasPriceEstimates(url: string, clientId?: string): Promise<unknown>
  calculateTimeEstimate(
    maxPriorityFeePerGas: string,
    maxFeePerGas: string,
    estimates: MetaMaskEstimates,
  ): { lowerTimeBound: number | null; upperTimeBound: number | 'unknown' }
}

export function metaMaskGasUtil(): MetaMaskGasUtil {
  return load(
    '@metamask/gas-fee-controller',
    join(compat, 'node_modules/@metamask/gas-fee-controller/dist/gas-util.cjs'),
  )
}

/** @metamask/controller-utils: gwei decimal → wei (BN), as MetaMask converts. */
export function metaMaskUtils(): { gweiDecToWEIBN(n: string): { toString(base?: number): string } } {
  return load('@metamask/controller-utils', '@metamask/controller-utils')
}

export function ethers(): typeof import('ethers') {
  return load('ethers', 'ethers')
}

/** @web3-onboard/gas's request URL and headers for Blocknative (it sends these through rxjs ajax). */
export async function web3OnboardRequest(parameters: {
  chainId: string
  apiKey: string
}): Promise<{ url: string; headers: Record<string, string> }> {
  const path = join(compat, 'node_modules/@web3-onboard/gas/dist/utils.js')
  if (!existsSync(path)) throw new Error('@web3-onboard/gas is not installed in test/compat')
  const { getRequestUrl } = (await import(path)) as {
    getRequestUrl(p: { chainId: string; endpoint: 'blockPrices'; apiKey?: string }): {
      url: string
      headers: Record<string, string>
    }
  }
  return getRequestUrl({ ...parameters, endpoint: 'blockPrices' })
}

import { type Address, type Hex, keccak256, numberToHex } from 'viem'
import { mixSeed } from '../lib/random.js'

/** A JSON-RPC quantity: hex without leading zeros ("0x0" for zero). */
export function quantity(value: bigint | number): Hex {
  return `0x${value.toString(16)}`
}

/**
 * Deterministic hex of `bytes` bytes from integer parts: cheap (no keccak), for the fields that only
 * have to look real (addresses, roots, signatures). Not unique by construction: where uniqueness
 * matters (tx hashes) the caller appends a counter.
 */
export function fakeHex(bytes: number, ...parts: number[]): Hex {
  let out = ''
  let word = 0
  while (out.length < bytes * 2) {
    out += mixSeed(...parts, word++)
      .toString(16)
      .padStart(8, '0')
  }
  return `0x${out.slice(0, bytes * 2)}`
}

/** Address of simulated sender `index` (unique per index: the index is spelled into its last bytes). */
export function senderAddress(salt: number, index: number): Address {
  return `${fakeHex(16, salt, 0x5e4d, index)}${index.toString(16).padStart(8, '0')}` as Address
}

/** The block hash of block `number` of a devchain: keccak of the chain's salt and the number. */
export function blockHash(chainId: number, salt: number, number: number): Hex {
  return keccak256(
    `0x${numberToHex(chainId, { size: 8 }).slice(2)}${numberToHex(salt >>> 0, { size: 4 }).slice(2)}${numberToHex(number, { size: 8 }).slice(2)}`,
  )
}

/** Transaction hash: unique within the chain because the block hash prefix is and the index is appended. */
export function transactionHash(block: Hex, index: number): Hex {
  return `${block.slice(0, 50)}${index.toString(16).padStart(16, '0')}` as Hex
}

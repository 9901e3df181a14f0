import { describe, expect, it } from 'vitest'
import {
  expectedBaseFee,
  implausibleBaseFee,
  maxPlausibleBaseFeePerGas,
  opStackBaseFeeParameters,
} from './baseFeeRule.js'
import { ethereumEip1559 } from './nextBaseFee.js'

const ethereum = { eip1559: ethereumEip1559, minBaseFeePerGas: 0n, daFootprint: false }
const gwei = 1_000_000_000n

describe('expectedBaseFee', () => {
  it('follows EIP-1559: +12.5% for a full block, -12.5% for an empty one, unchanged at target', () => {
    const parent = { baseFeePerGas: 8n * gwei, gasLimit: 30_000_000n }
    expect(expectedBaseFee({ ...parent, gasUsed: 30_000_000n }, ethereum)).toBe(9n * gwei)
    expect(expectedBaseFee({ ...parent, gasUsed: 0n }, ethereum)).toBe(7n * gwei)
    expect(expectedBaseFee({ ...parent, gasUsed: 15_000_000n }, ethereum)).toBe(8n * gwei)
  })

  it('keeps a floor and counts the DA footprint like gas used (OP-stack Jovian)', () => {
    const jovian = { ...ethereum, minBaseFeePerGas: 1_000n, daFootprint: true }
    expect(expectedBaseFee({ baseFeePerGas: 800n, gasUsed: 0n, gasLimit: 30n }, jovian)).toBe(1_000n)
    expect(
      expectedBaseFee(
        { baseFeePerGas: 8n * gwei, gasUsed: 0n, gasLimit: 30_000_000n, blobGasUsed: 30_000_000n },
        jovian,
      ),
    ).toBe(9n * gwei)
  })
})

describe('opStackBaseFeeParameters', () => {
  const defaults = { elasticityMultiplier: 6n, baseFeeMaxChangeDenominator: 250n }
  it('reads Holocene (version 0) and Jovian (version 1) extraData', () => {
    expect(opStackBaseFeeParameters('0x00000000fa00000006', defaults)).toEqual({
      eip1559: { baseFeeMaxChangeDenominator: 250n, elasticityMultiplier: 6n },
      minBaseFeePerGas: 0n,
      daFootprint: false,
    })
    expect(opStackBaseFeeParameters('0x0100000032000000020000000000000064', defaults)).toEqual({
      eip1559: { baseFeeMaxChangeDenominator: 50n, elasticityMultiplier: 2n },
      minBaseFeePerGas: 100n,
      daFootprint: true,
    })
  })
  it('falls back to the chain defaults for zero parameters, and knows nothing of other forms', () => {
    expect(opStackBaseFeeParameters('0x000000000000000000', defaults)?.eip1559).toBe(defaults)
    expect(opStackBaseFeeParameters('0x', defaults)).toBeUndefined()
    expect(
      opStackBaseFeeParameters('0xd883010d0e846765746888676f312e32312e36856c696e7578', defaults),
    ).toBeUndefined()
    expect(opStackBaseFeeParameters(undefined, defaults)).toBeUndefined()
  })
})

describe('implausibleBaseFee', () => {
  it('refuses 2^256 - 1, a 1000x jump and a fall to a tenth; allows what any EIP-1559 chain can do', () => {
    expect(implausibleBaseFee(null, 2n ** 256n - 1n)).toMatch(/above any plausible value/)
    expect(implausibleBaseFee(null, maxPlausibleBaseFeePerGas)).toBeUndefined()
    expect(implausibleBaseFee(10n * gwei, 10_000n * gwei)).toMatch(/more than twice/)
    expect(implausibleBaseFee(10n * gwei, gwei)).toMatch(/less than half/)
    expect(implausibleBaseFee(8n * gwei, 9n * gwei)).toBeUndefined()
    expect(implausibleBaseFee(8n * gwei, 7n * gwei)).toBeUndefined()
    // Tiny base fees: the 1 wei step is a large ratio.
    expect(implausibleBaseFee(7n, 8n)).toBeUndefined()
    expect(implausibleBaseFee(0n, 1n)).toBeUndefined()
  })
})

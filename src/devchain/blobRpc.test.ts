import { describe, expect, it } from 'vitest'
import { mainnetBlobSchedule } from '../chains/blobSchedule.js'
import { blobScheduleFromEthConfig } from '../chains/blobScheduleFromEthConfig.js'
import { devchainBlobSchedule } from '../chains/blobSchedules.js'
import { ethConfigOf } from './blobRpc.js'

describe('ethConfigOf (eth_config, EIP-7910): the reverse of blobScheduleFromEthConfig', () => {
  it('gives back the current, next and last forks, reserve price included (through P256VERIFY)', () => {
    const [, prague, osaka, bpo1, bpo2] = mainnetBlobSchedule
    // Between Prague and Osaka: current Prague, next Osaka, last BPO2.
    const answer = ethConfigOf(mainnetBlobSchedule, 1, osaka!.activationTime - 100)
    const parsed = blobScheduleFromEthConfig({ result: answer, chainId: 1 })
    const strip = ({ name: _, ...f }: { name: string }) => f
    expect(parsed.map(strip)).toEqual([prague, osaka, bpo2].map((f) => strip(f!)))
    expect(bpo1).toBeDefined()
  })

  it("the devchain's schedule round-trips whole", () => {
    const parsed = blobScheduleFromEthConfig({
      result: ethConfigOf(devchainBlobSchedule, 1337, 1_800_000_000),
      chainId: 1337,
    })
    expect(parsed).toHaveLength(1)
    const { name: _, ...fork } = parsed[0]!
    const { name: __, ...expected } = devchainBlobSchedule[0]!
    expect(fork).toEqual(expected)
  })

  it('before the first blob fork: no blob schedule now, the fork next', () => {
    const answer = ethConfigOf(mainnetBlobSchedule, 1, mainnetBlobSchedule[0]!.activationTime - 1) as {
      current: { blobSchedule: unknown }
    }
    expect(answer.current.blobSchedule).toBeNull()
    expect(blobScheduleFromEthConfig({ result: answer, chainId: 1 })[0]!.target).toBe(3)
  })
})

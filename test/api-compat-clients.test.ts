import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corsAllowedHeaders } from '../src/api/app.js'
import { BlocknativeSchema, GasStationSchema, MetaMaskSchema } from '../src/api/schemas.js'
import {
  ethers,
  type MetaMaskEstimates,
  metaMaskGasUtil,
  metaMaskUtils,
  web3OnboardRequest,
} from './compat/clients.js'
import { asWeb3OnboardResponse } from './compat/web3onboardTypes.js'
import { type EmbeddedFeecast, startFeecastProcess } from './support/feecastProcess.js'

/**
 * The compatible shapes, read by the real client libraries from npm (test/compat/), from the real
 * `feecast start` on its embedded devchain: MetaMask's gas-fee-controller, ethers v6 with the parser
 * of its own Polygon network, and @web3-onboard/gas's Blocknative types. A recording proxy in front of
 * feecast keeps every request header the clients sent, and each must pass feecast's CORS preflight.
 */

const chainId = 1337
let feecast: EmbeddedFeecast
let proxy: Server
let proxyUrl: string
/** Request headers per client, as they reached the proxy. */
const sent = new Map<string, IncomingHttpHeaders>()

beforeAll(async () => {
  feecast = await startFeecastProcess()
  proxy = createServer(async (req, res) => {
    sent.set(String(req.headers['x-test-client'] ?? req.headers['user-agent'] ?? 'unknown'), req.headers)
    const upstream = await fetch(`${feecast.url}${req.url}`, {
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => !['host', 'connection'].includes(name)),
      ) as Record<string, string>,
    })
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' })
    res.end(Buffer.from(await upstream.arrayBuffer()))
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
}, 120_000)

afterAll(async () => {
  proxy?.close()
  await feecast?.stop()
})

const wei = (gwei: string) => BigInt(metaMaskUtils().gweiDecToWEIBN(gwei).toString(10))

describe("MetaMask's gas-fee-controller", () => {
  let estimates: MetaMaskEstimates

  beforeAll(async () => {
    estimates = await metaMaskGasUtil().fetchGasEstimates(
      `${proxyUrl}/networks/${chainId}/suggestedGasFees`,
      'feecast-test-client',
    )
  })

  it('parses the answer (fetchGasEstimates) into the published shape', () => {
    expect(MetaMaskSchema.parse(estimates)).toEqual(estimates)
  })

  it('shows low < medium < high for both the tip and the max fee', () => {
    const { low, medium, high } = estimates
    for (const field of ['suggestedMaxPriorityFeePerGas', 'suggestedMaxFeePerGas'] as const) {
      expect(wei(low[field]), field).toBeLessThan(wei(medium[field]))
      expect(wei(medium[field]), field).toBeLessThan(wei(high[field]))
    }
  })

  it('has wait times that shrink from low to high', () => {
    const { low, medium, high } = estimates
    expect(low.maxWaitTimeEstimate).toBeGreaterThan(medium.maxWaitTimeEstimate)
    expect(medium.maxWaitTimeEstimate).toBeGreaterThan(high.maxWaitTimeEstimate)
    expect(low.minWaitTimeEstimate).toBeGreaterThanOrEqual(medium.minWaitTimeEstimate)
    expect(medium.minWaitTimeEstimate).toBeGreaterThanOrEqual(high.minWaitTimeEstimate)
  })

  it("gives each tier's fees that tier's wait bounds (calculateTimeEstimate)", () => {
    const { calculateTimeEstimate } = metaMaskGasUtil()
    for (const tier of [estimates.low, estimates.medium, estimates.high])
      expect(
        calculateTimeEstimate(tier.suggestedMaxPriorityFeePerGas, tier.suggestedMaxFeePerGas, estimates),
      ).toEqual({ lowerTimeBound: tier.minWaitTimeEstimate, upperTimeBound: tier.maxWaitTimeEstimate })
  })

  it('has its ranges and trends all present or all null, as GasFeeEstimates types them', () => {
    const optional = [
      estimates.latestPriorityFeeRange,
      estimates.historicalPriorityFeeRange,
      estimates.historicalBaseFeeRange,
      estimates.priorityFeeTrend,
      estimates.baseFeeTrend,
    ]
    expect(optional.every((v) => v === null) || optional.every((v) => v !== null)).toBe(true)
  })

  it("answers its legacy route's request too, with the headers it sends", async () => {
    // fetchLegacyGasPriceEstimates sends Content-Type and X-Client-Id: recorded for the CORS check.
    await metaMaskGasUtil()
      .fetchLegacyGasPriceEstimates(`${proxyUrl}/gasprices/blockprices?chainid=${chainId}`, 'feecast-legacy')
      .catch(() => undefined)
    expect([...sent.values()].some((h) => h['content-type'] === 'application/json')).toBe(true)
  })
})

describe('ethers v6 with the Polygon gas station parser of its own matic network', () => {
  it("getFeeData() reads feecast's /gasstation answer (standard = 90 % within 3 blocks)", async () => {
    const { FetchUrlFeeDataNetworkPlugin, JsonRpcProvider, Network } = ethers()
    const polygon = Network.from('matic').getPlugin<InstanceType<typeof FetchUrlFeeDataNetworkPlugin>>(
      'org.ethers.plugins.network.FetchUrlFeeDataPlugin',
    )
    if (polygon === null) throw new Error("ethers' matic network has no fee-data plugin")
    const network = new Network('feecast-devchain', chainId)
    network.attachPlugin(
      new FetchUrlFeeDataNetworkPlugin(`${proxyUrl}/gasstation/${chainId}`, polygon.processFunc),
    )
    const provider = new JsonRpcProvider(feecast.devchainUrl, network, { staticNetwork: network })
    try {
      const fees = await provider.getFeeData()
      const station = GasStationSchema.parse(
        await (await fetch(`${feecast.url}/gasstation/${chainId}`)).json(),
      )
      // The devchain makes a block every 2 s: ethers and this read may see different heads.
      const seen = ethers().parseUnits(String(station.standard.maxFee), 9)
      expect(fees.maxFeePerGas).not.toBeNull()
      expect(fees.maxPriorityFeePerGas).not.toBeNull()
      expect(fees.maxFeePerGas! >= fees.maxPriorityFeePerGas!).toBe(true)
      // Within a few blocks of each other: same order of magnitude as what feecast serves now.
      expect(Number(fees.maxFeePerGas!) / Number(seen)).toBeGreaterThan(0.5)
      expect(Number(fees.maxFeePerGas!) / Number(seen)).toBeLessThan(2)
      expect(station.safeLow.maxFee).toBeLessThan(station.standard.maxFee)
      expect(station.standard.maxFee).toBeLessThan(station.fast.maxFee)
    } finally {
      provider.destroy()
    }
  })
})

describe('Blocknative shape, as @web3-onboard/gas types it', () => {
  it('has the published field types (estimatedTransactionCount a number)', async () => {
    const { url, headers } = await web3OnboardRequest({ chainId: '0x1', apiKey: 'test-key' })
    expect(new URL(url).pathname).toBe('/gasprices/blockprices')
    const response = await fetch(`${proxyUrl}/gasprices/blockprices?chainid=${chainId}`, {
      headers: { ...headers, 'x-test-client': 'web3-onboard' },
    })
    expect(response.status).toBe(200)
    const body = asWeb3OnboardResponse(BlocknativeSchema.parse(await response.json()))
    for (const block of body.blockPrices) {
      expect(typeof block.estimatedTransactionCount).toBe('number')
      expect(typeof block.baseFeePerGas).toBe('number')
      for (const price of block.estimatedPrices)
        for (const field of ['confidence', 'price', 'maxFeePerGas', 'maxPriorityFeePerGas'] as const)
          expect(typeof price[field], field).toBe('number')
    }
  })
})

describe('CORS for the browser versions of these clients', () => {
  const safelisted = new Set(['accept', 'accept-language', 'content-language', 'range'])
  // Forbidden request headers (Fetch standard): the browser sets them, a page cannot, so they never
  // reach a preflight. (x-test-client is this test's own label.)
  const notSentByBrowsers = new Set([
    'accept-charset',
    'accept-encoding',
    'connection',
    'content-length',
    'cookie',
    'date',
    'dnt',
    'expect',
    'host',
    'keep-alive',
    'origin',
    'referer',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
    'via',
    'x-test-client',
  ])

  it("allows every request header the clients sent (a preflight like a browser's)", async () => {
    expect(sent.size).toBeGreaterThanOrEqual(3)
    const names = new Set<string>()
    for (const headers of sent.values())
      for (const name of Object.keys(headers))
        if (!safelisted.has(name) && !notSentByBrowsers.has(name) && !/^(sec|proxy)-/.test(name))
          names.add(name)
    expect([...names]).toEqual(
      expect.arrayContaining(['x-client-id', 'authorization', 'content-type', 'user-agent']),
    )
    const preflight = await fetch(`${feecast.url}/networks/${chainId}/suggestedGasFees`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://wallet.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': [...names].join(','),
      },
    })
    expect(preflight.status).toBe(204)
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '')
      .toLowerCase()
      .split(/\s*,\s*/)
    for (const name of names) expect(allowed, name).toContain(name)
    expect(corsAllowedHeaders.map((h) => h.toLowerCase())).toEqual(expect.arrayContaining([...names]))
  })
})

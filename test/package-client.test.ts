import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CreateApiServerReturnType, createApiServer } from '../src/api/server.js'
import { loadConfig } from '../src/config.js'
import { predictionFixture, publishPrediction } from './support/predictionFixture.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * @feecast/client as a wallet gets it: `npm pack`ed, installed from the tarball into an empty project
 * with only viem, then used by a plain `.mjs` consumer, a CommonJS one, and a strict TypeScript
 * consumer (exactOptionalPropertyTypes; moduleResolution nodenext and bundler) — against a real feecast.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = promisify(execFile)
const viemVersion = (createRequire(import.meta.url)('viem/package.json') as { version: string }).version
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
let project: string
let redis: TestRedis
let api: CreateApiServerReturnType
let installedBytes = 0

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path)
  if (!info.isDirectory()) return info.size
  let total = 0
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry))
  return total
}

beforeAll(async () => {
  redis = await startTestRedis()
  await publishPrediction(redis.client(), predictionFixture({ chainId: 1, blockNumber: 7 }))
  api = await createApiServer({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_SECOND: '0' }),
    redis: redis.client(),
    logger: pino({ level: 'silent' }),
    chains: [1],
  })
  await api.feed.whenSynced()

  project = await mkdtemp(join(tmpdir(), 'feecast-client-consumer-'))
  const packed = join(project, 'packed')
  await mkdir(packed)
  const { stdout } = await run('npm', ['pack', '--pack-destination', packed, '--silent'], {
    cwd: join(root, 'packages/client'),
    timeout: 180_000,
  })
  const tarball = join(packed, stdout.trim().split('\n').pop()!)
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'wallet', private: true, type: 'module' }),
  )
  await run(
    'npm',
    ['install', tarball, `viem@${viemVersion}`, '--no-audit', '--no-fund', '--prefer-offline'],
    {
      cwd: project,
      timeout: 300_000,
    },
  )
  installedBytes = await sizeOf(join(project, 'node_modules/@feecast/client'))
}, 600_000)

afterAll(async () => {
  await api?.close()
  await redis?.stop()
  if (project) await rm(project, { recursive: true, force: true })
})

describe('@feecast/client, packed and installed', () => {
  it('installs in well under 1 MB besides viem, with no runtime dependency of its own', async () => {
    console.info(`@feecast/client installed size: ${(installedBytes / 1024).toFixed(1)} KiB`)
    expect(installedBytes).toBeLessThan(512 * 1024)
    const manifest = JSON.parse(
      await readFile(join(project, 'node_modules/@feecast/client/package.json'), 'utf8'),
    )
    expect(manifest.dependencies ?? {}).toEqual({})
    expect(Object.keys(manifest.peerDependencies)).toEqual(['viem'])
  })

  it('works from plain node as ESM (.mjs) and CommonJS (.cjs)', async () => {
    // Fresh data (the install above may have taken longer than chain 1's freshness bound).
    const published = predictionFixture({ chainId: 1, blockNumber: 7 })
    await publishPrediction(redis.client(), published)
    await waitFor(() => api.feed.get(1)?.prediction.createdAt === published.createdAt, {
      timeoutMs: 5000,
      message: 'the API to hear the fresh prediction',
    })
    const body = `
      const { createFeecastClient, feecastFees, contractVersion, confidenceLevels, horizons } = MODULE
      const feecast = createFeecastClient({ url: process.env.FEECAST_URL })
      const p = await feecast.predict({ chainId: 1, confidence: 90, withinBlocks: 3 })
      const estimate = feecastFees({ url: process.env.FEECAST_URL, chainId: 1 })
      const fees = await estimate({ client: {}, type: 'eip1559', request: undefined, block: undefined, multiply: (x) => x })
      console.log(JSON.stringify({ contractVersion, levels: confidenceLevels.length, horizons: horizons.length,
        block: p.blockNumber, estimates: p.estimates.length, maxFeePerGas: String(fees.maxFeePerGas) }))`
    await writeFile(join(project, 'consumer.mjs'), body.replace('MODULE', "await import('@feecast/client')"))
    await writeFile(
      join(project, 'consumer.cjs'),
      `;(async () => { ${body.replace('MODULE', "require('@feecast/client')")} })().catch((e) => { console.error(e); process.exit(1) })`,
    )
    const expected = (await (
      await fetch(`${api.url}/predict?chainId=1&confidence=90&withinBlocks=3`)
    ).json()) as {
      estimates: Array<{ maxFeePerGas: string }>
    }
    for (const file of ['consumer.mjs', 'consumer.cjs']) {
      const { stdout } = await run(process.execPath, [file], {
        cwd: project,
        env: { ...process.env, FEECAST_URL: api.url },
      })
      expect(JSON.parse(stdout), file).toEqual({
        contractVersion: expect.stringMatching(/^[0-9]+\.[0-9]+$/),
        levels: 5,
        horizons: 6,
        block: 7,
        estimates: 1,
        maxFeePerGas: expected.estimates[0]!.maxFeePerGas,
      })
    }
  })

  it.each([
    ['nodenext', { module: 'NodeNext', moduleResolution: 'NodeNext' }],
    ['bundler', { module: 'ESNext', moduleResolution: 'Bundler' }],
  ])('type-checks in a strict consumer (moduleResolution %s)', async (name, resolution) => {
    const dir = join(project, `ts-${name}`)
    await mkdir(dir, { recursive: true })
    await writeFile(
      join(dir, 'consumer.ts'),
      `import { createFeecastClient, type Estimate, type FeecastFallbackError, feecastFees, type Prediction } from '@feecast/client'
import { createPublicClient, defineChain, http } from 'viem'
import { mainnet } from 'viem/chains'

const feecast = createFeecastClient({ url: 'http://localhost:8080', timeoutMs: 500, headers: { Authorization: 'Bearer k' } })
export async function cheapest(): Promise<Estimate | undefined> {
  const prediction: Prediction = await feecast.predict({ chainId: 1, confidence: [90, 99], withinBlocks: 3 })
  if (prediction.stale) return undefined
  return prediction.estimates.reduce<Estimate | undefined>((a, e) => (a === undefined || BigInt(e.maxFeePerGas) < BigInt(a.maxFeePerGas) ? e : a), undefined)
}
// A confidence level or horizon feecast does not serve is a compile error, not a 400 at run time.
// @ts-expect-error 80 is not a ConfidenceLevel
void feecast.predict({ chainId: 1, confidence: 80 })
// @ts-expect-error 4 is not a Horizon
void feecast.predict({ chainId: 1, withinBlocks: [1, 4] })
const chain = defineChain({
  ...mainnet,
  fees: {
    estimateFeesPerGas: feecastFees({
      url: 'http://localhost:8080',
      confidence: 90,
      withinBlocks: 3,
      onFallback: (error: FeecastFallbackError) => console.warn(error.reason, error.shortMessage),
    }),
  },
})
export const client = createPublicClient({ chain, transport: http() })
`,
    )
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          ...resolution,
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          // viem's own dependencies need the DOM lib or @types/node; the consumer's code does not.
          skipLibCheck: true,
          lib: ['ES2022', 'DOM'],
          types: [],
        },
        include: ['consumer.ts'],
      }),
    )
    const result = await run(process.execPath, [tsc, '-p', dir], { cwd: dir }).catch((e) => e)
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`).toBe('')
  })
})

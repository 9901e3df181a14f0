/**
 * Capacity benchmark (`npx tsx bench/capacity.ts`; needs `npm run build`): what one chain costs, measured
 * on a real redis-server and a feecast process (`FEECAST_ROLE=sampler`: sampler + predictor) following a
 * devchain, and an API-only feecast beside it. Prints the figures and writes bench/results/capacity.json:
 *
 * - Redis operations per chain per block (INFO commandstats over the run, every client included: the
 *   sampler's writes, the predictor's reads and writes, the API's feed);
 * - Redis memory per chain (MEMORY USAGE of every key of the chain) and per stored block record;
 * - sampler + predictor CPU per block (utime + stime of the process from /proc, so other work on the
 *   machine does not count), hence chains per sampler core at a block time;
 * - Prometheus series per chain and per process (the /metrics lines of each process).
 *
 * Requests per API core come from bench/api.ts (its server CPU per request); the README's capacity plan
 * scales these figures on paper.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { startDevchain } from '../src/devchain/startDevchain.js'
import { storeKeys } from '../src/store/keys.js'
import { readHead } from '../src/store/readHead.js'
import { startRedisServer } from '../src/store/redisServer.js'
import { startFeecast } from '../test/support/feecastProcess.js'
import { waitFor } from '../test/support/waitFor.js'

const here = dirname(fileURLToPath(import.meta.url))
const blockTimeSeconds = Number(process.env.BLOCK_TIME ?? 0.5)
const measuredBlocks = Number(process.env.BLOCKS ?? 120)
const history = 2_048

const cpuSecondsOf = (pid: number): number => {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (100 a second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const commandCount = async (redis: Redis): Promise<number> => {
  const info = await redis.info('commandstats')
  let total = 0
  for (const m of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm))
    if (m[1] !== 'info' && m[1] !== 'memory|usage') total += Number(m[2])
  return total
}

const seriesOf = async (url: string, chainId: number) => {
  const lines = (await (await fetch(`${url}/metrics`)).text())
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
  return { total: lines.length, perChain: lines.filter((l) => l.includes(`chain_id="${chainId}"`)).length }
}

async function main() {
  const dir = join(tmpdir(), `feecast-capacity-${process.pid}`)
  const server = await startRedisServer({ dataDir: dir })
  const redis = new Redis(server.url)
  const devchain = await startDevchain({ port: 0, blockTime: blockTimeSeconds, history, seed: 77 })
  const chainId = devchain.chainId
  const env = {
    REDIS_URL: server.url,
    EMBEDDED_REDIS: 'off',
    [`RPC_URL_${chainId}`]: devchain.url,
    HISTORY_BLOCKS: String(history),
    LOG_LEVEL: 'warn',
    METRICS_RATE_LIMIT_PER_SECOND: '0',
  }
  const sampler = await startFeecast({ env: { ...env, FEECAST_ROLE: 'sampler' } })
  const api = await startFeecast({ env: { ...env, FEECAST_ROLE: 'api' } })
  try {
    process.stdout.write(
      `backfilling ${history} blocks, then measuring ${measuredBlocks} blocks of ${blockTimeSeconds} s\n`,
    )
    await waitFor(async () => ((await readHead(redis, { chainId }))?.number ?? 0) >= devchain.head() - 1, {
      timeoutMs: 120_000,
      message: 'the backfill',
    })
    await waitFor(async () => (await fetch(`${api.url}/predict?chainId=${chainId}`)).status === 200, {
      timeoutMs: 60_000,
      message: 'a prediction',
    })
    await new Promise((r) => setTimeout(r, 2_000))
    const startHead = (await readHead(redis, { chainId }))!.number
    const startOps = await commandCount(redis)
    const startCpu = cpuSecondsOf(sampler.child.pid!)
    const startApiCpu = cpuSecondsOf(api.child.pid!)
    await waitFor(
      async () => {
        const head = (await readHead(redis, { chainId }))!.number
        if (head % 10 === 0) process.stdout.write(`  block ${head - startHead}/${measuredBlocks}\r`)
        return head >= startHead + measuredBlocks
      },
      {
        timeoutMs: measuredBlocks * blockTimeSeconds * 4_000 + 60_000,
        intervalMs: 200,
        message: 'the measured blocks',
      },
    )
    const endHead = (await readHead(redis, { chainId }))!.number
    const blocks = endHead - startHead
    const ops = (await commandCount(redis)) - startOps
    const cpu = cpuSecondsOf(sampler.child.pid!) - startCpu
    const apiCpu = cpuSecondsOf(api.child.pid!) - startApiCpu
    const keys = storeKeys(chainId)
    const memory: Record<string, number> = {}
    for (const [name, key] of Object.entries(keys)) {
      const bytes = (await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) as number | null
      if (bytes !== null) memory[name] = bytes
    }
    const storedBlocks = await redis.zcard(keys.blocks)
    const chainBytes = Object.values(memory).reduce((a, b) => a + b, 0)
    const perRecordBytes = Math.round((memory.blocks ?? 0) / storedBlocks)
    const samplerSeries = await seriesOf(sampler.url, chainId)
    const apiSeries = await seriesOf(api.url, chainId)
    const cpuPerBlockMs = Math.round((cpu / blocks) * 1000 * 100) / 100
    const figures = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
      setup: `redis-server 7 (appendfsync always), devchain ${blockTimeSeconds} s blocks, feecast FEECAST_ROLE=sampler (sampler + predictor) and FEECAST_ROLE=api, ${blocks} blocks measured after a ${history}-block backfill`,
      redisOpsPerChainPerBlock: Math.round((ops / blocks) * 10) / 10,
      redisMemoryPerChainBytes: { storedBlocks, total: chainBytes, perRecord: perRecordBytes, keys: memory },
      redisMemoryPerChainAtMaxStoredBlocks20000Mb:
        Math.round(((chainBytes - (memory.blocks ?? 0) + perRecordBytes * 20_000) / 1e6) * 10) / 10,
      samplerCpuPerBlockMs: cpuPerBlockMs,
      apiFeedCpuPerBlockMs: Math.round((apiCpu / blocks) * 1000 * 100) / 100,
      chainsPerSamplerCoreAt12sBlocks: Math.floor(12_000 / cpuPerBlockMs),
      chainsPerSamplerCoreAt2sBlocks: Math.floor(2_000 / cpuPerBlockMs),
      prometheusSeries: {
        samplerProcess: samplerSeries,
        apiProcess: apiSeries,
      },
    }
    process.stdout.write(`\n${JSON.stringify(figures, null, 2)}\n`)
    writeFileSync(join(here, 'results', 'capacity.json'), `${JSON.stringify(figures, null, 2)}\n`)
  } finally {
    await Promise.all([sampler.stop(), api.stop()])
    redis.disconnect()
    await devchain.stop()
    await server.stop()
  }
}

await main()

import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from '../../src/lib/freePort.js'
import { watchdogScript } from '../../src/store/redisServer.js'
import { waitFor } from './waitFor.js'

/**
 * Real Redis topologies for the HA tests and the failover bench: Debian's redis-server and redis-sentinel
 * on free ports, each under the embedded Redis's watchdog (so none outlives the test process, even one
 * killed), their data in a temporary directory removed by stop().
 */

export type RedisNode = {
  port: number
  readonly pid: number | undefined
  readonly alive: boolean
  /** SIGKILL, as a power cut would; resolves once it is gone. */
  kill(): Promise<void>
  /** SIGTERM, waited for (SIGKILL after 5 s). */
  stop(): Promise<void>
  /** SIGSTOP: frozen (a stalled VM, a long GC pause of the host), its connections open but silent. */
  freeze(): void
  /** SIGCONT. */
  thaw(): void
}

/** One redis-server (or redis-sentinel) with the given arguments, resolved once it accepts connections. */
async function startNode(binary: string, args: string[], port: number): Promise<RedisNode> {
  const proc: ChildProcess = spawn('sh', ['-c', watchdogScript, 'feecast-redis', binary, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  proc.stdin?.on('error', () => {})
  let output = ''
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000)
  }
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)
  let exited = false
  const gone = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      exited = true
      proc.stdin?.destroy()
      resolve()
    }),
  )
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null })
  probe.on('error', () => {})
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`${binary} ${args.join(' ')} exited while starting:\n${output}`)
        try {
          if (probe.status !== 'ready') await probe.connect()
          return (await probe.ping()) === 'PONG'
        } catch {
          probe.disconnect()
          return false
        }
      },
      { timeoutMs: 10_000, intervalMs: 50, message: `${binary} on port ${port} did not start` },
    )
  } finally {
    probe.disconnect()
  }
  return {
    port,
    get pid() {
      return proc.pid
    },
    get alive() {
      return !exited
    },
    async kill() {
      if (!exited) proc.kill('SIGKILL')
      await gone
    },
    freeze() {
      if (!exited) proc.kill('SIGSTOP')
    },
    thaw() {
      if (!exited) proc.kill('SIGCONT')
    },
    async stop() {
      if (exited) return
      proc.kill('SIGCONT')
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
      await gone
      clearTimeout(timer)
    },
  }
}

const dataNodeArgs = (port: number, dir: string): string[] => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--save',
  '',
  '--appendonly',
  'no',
  '--protected-mode',
  'no',
]

export type SentinelSet = {
  /** The master name the Sentinels watch. */
  name: string
  sentinels: RedisNode[]
  /** The data nodes: [0] the first primary, then its replicas. */
  dataNodes: RedisNode[]
  /** The Sentinels as REDIS_SENTINELS lists them. */
  sentinelList: string
  /** The port the Sentinels say the primary is on now. */
  primaryPort(): Promise<number>
  stop(): Promise<void>
}

/**
 * A primary, `replicas` replicas and `sentinels` Sentinels (quorum 2) that fail over once the primary has
 * been unreachable for `downAfterMs`.
 */
export async function startSentinelSet({
  replicas = 1,
  sentinels = 3,
  downAfterMs = 1_000,
  failoverTimeoutMs = 5_000,
}: {
  replicas?: number
  sentinels?: number
  downAfterMs?: number
  failoverTimeoutMs?: number
} = {}): Promise<SentinelSet> {
  const dir = await mkdtemp(join(tmpdir(), 'feecast-sentinel-'))
  const name = 'feecast'
  const nodes: RedisNode[] = []
  const watchers: RedisNode[] = []
  const stop = async () => {
    await Promise.all([...watchers, ...nodes].map((n) => n.stop()))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const primaryPort = await freePort()
    nodes.push(await startNode('redis-server', dataNodeArgs(primaryPort, dir), primaryPort))
    for (let i = 0; i < replicas; i++) {
      const port = await freePort()
      // One directory for all: no data file is written (--save '', no AOF).
      const args = [...dataNodeArgs(port, dir), '--replicaof', '127.0.0.1', String(primaryPort)]
      nodes.push(await startNode('redis-server', args, port))
    }
    for (let i = 0; i < sentinels; i++) {
      const port = await freePort()
      const conf = join(dir, `sentinel-${port}.conf`)
      await writeFile(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
          `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      )
      watchers.push(await startNode('redis-sentinel', [conf], port))
    }
  } catch (error) {
    await stop()
    throw error
  }
  const ask = async (): Promise<number> => {
    for (const s of watchers.filter((w) => w.alive)) {
      const client = new Redis({ port: s.port, host: '127.0.0.1', retryStrategy: () => null })
      client.on('error', () => {})
      try {
        const reply = (await client.call('SENTINEL', 'get-master-addr-by-name', name)) as string[]
        return Number(reply[1])
      } catch {
      } finally {
        client.disconnect()
      }
    }
    throw new Error('no Sentinel answered')
  }
  // The replicas are in sync and every Sentinel knows them all before the test starts.
  await waitFor(
    async () => {
      const primary = new Redis({ port: nodes[0]!.port, host: '127.0.0.1' })
      try {
        const info = await primary.info('replication')
        return (info.match(/state=online/g) ?? []).length === replicas
      } finally {
        primary.disconnect()
      }
    },
    { timeoutMs: 15_000, intervalMs: 100, message: 'the replicas did not connect' },
  )
  await waitFor(
    async () => {
      for (const s of watchers) {
        const client = new Redis({ port: s.port, host: '127.0.0.1' })
        try {
          const master = (await client.call('SENTINEL', 'master', name)) as string[]
          const field = (k: string) => Number(master[master.indexOf(k) + 1])
          if (field('num-slaves') !== replicas || field('num-other-sentinels') !== sentinels - 1) return false
        } finally {
          client.disconnect()
        }
      }
      return true
    },
    {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: 'the Sentinels did not discover each other and the replicas',
    },
  )
  return {
    name,
    sentinels: watchers,
    dataNodes: nodes,
    sentinelList: watchers.map((w) => `127.0.0.1:${w.port}`).join(','),
    primaryPort: ask,
    stop,
  }
}

export type RedisClusterSet = {
  /** Every node, primaries first as created. */
  nodes: RedisNode[]
  /** The nodes as REDIS_CLUSTER_NODES lists them. */
  nodeList: string
  /** The node serving `key`'s slot now (its port). */
  primaryPortOf(key: string): Promise<number>
  stop(): Promise<void>
}

/**
 * A Redis Cluster of `primaries` primaries with `replicasEach` replicas each (redis-cli --cluster create);
 * a primary unreachable for `nodeTimeoutMs` is replaced by its replica.
 */
export async function startRedisCluster({
  primaries = 3,
  replicasEach = 1,
  nodeTimeoutMs = 1_000,
}: {
  primaries?: number
  replicasEach?: number
  nodeTimeoutMs?: number
} = {}): Promise<RedisClusterSet> {
  const dir = await mkdtemp(join(tmpdir(), 'feecast-cluster-'))
  const nodes: RedisNode[] = []
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < primaries * (1 + replicasEach); i++) {
      const port = await freePort()
      const args = [
        ...dataNodeArgs(port, dir),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
      ]
      nodes.push(await startNode('redis-server', args, port))
    }
    const created = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicasEach),
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    )
    if (created.status !== 0)
      throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`)
    await waitFor(
      async () => {
        for (const n of nodes) {
          const client = new Redis({ port: n.port, host: '127.0.0.1' })
          try {
            const info = (await client.call('CLUSTER', 'INFO')) as string
            if (!info.includes('cluster_state:ok')) return false
            const replicasKnown = ((await client.call('CLUSTER', 'NODES')) as string)
              .split('\n')
              .map((l) => (l.split(' ')[2] ?? '').split(','))
              .filter((flags) => flags.includes('slave') && !flags.some((f) => f.startsWith('fail'))).length
            if (replicasKnown !== primaries * replicasEach) return false
          } finally {
            client.disconnect()
          }
        }
        return true
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'the cluster did not become ok' },
    )
  } catch (error) {
    await stop()
    throw error
  }
  return {
    nodes,
    nodeList: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    async primaryPortOf(key) {
      for (const n of nodes.filter((x) => x.alive)) {
        const client = new Redis({ port: n.port, host: '127.0.0.1', retryStrategy: () => null })
        client.on('error', () => {})
        try {
          const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key))
          const slots = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][]
          const range = slots.find(([from, to]) => slot >= from && slot <= to)
          if (range) return Number(range[2][1])
        } catch {
        } finally {
          client.disconnect()
        }
      }
      throw new Error('no cluster node answered')
    },
    stop,
  }
}

import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../src/lib/freePort.js'
import { jsonRpc, toHex } from './jsonRpc.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const hardhatCli = join(root, 'node_modules', 'hardhat', 'internal', 'cli', 'bootstrap.js')
const hardhatConfig = join(root, 'test', 'fixtures', 'hardhat.config.cjs')

export type StartHardhatNodeParameters = {
  /** Interval mining period (ms, default 1000); 0 leaves mining to mine(). */
  intervalMs?: number
  /** Small, so a modest load fills blocks and moves the base fee (default 500 000: ~23 transfers). */
  blockGasLimit?: number
  /** Funded, unlocked accounts (default 20): many independent senders for a load that must not queue behind its own nonces. */
  accounts?: number
  port?: number
  /** Genesis this many seconds before now (default: now), for a test that mines history in bulk. */
  genesisSecondsAgo?: number
}

export type HardhatNode = {
  url: string
  port: number
  chainId: number
  /** The funded, unlocked accounts (the first one is the miner, the blocks' coinbase). */
  accounts: `0x${string}`[]
  miner: `0x${string}`
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>
  blockNumber(): Promise<number>
  /** Mines `count` blocks at once (hardhat_mine). */
  mine(count?: number): Promise<void>
  /** Interval mining period in ms; 0 stops interval mining. */
  setIntervalMining(ms: number): Promise<void>
  snapshot(): Promise<string>
  revert(snapshotId: string): Promise<boolean>
  stop(): Promise<void>
}

/**
 * A real `hardhat node` (hardhat 2) with the fixture config: EIP-1559 (cancun), interval mining, a small block
 * gas limit, 20 funded accounts (or `accounts`). Started on a free port; stop() ends it.
 */
export async function startHardhatNode({
  intervalMs = 1000,
  blockGasLimit = 500_000,
  accounts: accountCount = 20,
  port,
  genesisSecondsAgo,
}: StartHardhatNodeParameters = {}): Promise<HardhatNode> {
  const chosenPort = port ?? (await freePort())
  const child: ChildProcess = spawn(
    process.execPath,
    [hardhatCli, 'node', '--hostname', '127.0.0.1', '--port', String(chosenPort), '--config', hardhatConfig],
    {
      cwd: root,
      env: {
        ...process.env,
        FEECAST_HH_INTERVAL_MS: String(intervalMs),
        FEECAST_HH_BLOCK_GAS_LIMIT: String(blockGasLimit),
        FEECAST_HH_ACCOUNTS: String(accountCount),
        ...(genesisSecondsAgo === undefined
          ? {}
          : { FEECAST_HH_INITIAL_DATE: new Date(Date.now() - genesisSecondsAgo * 1000).toISOString() }),
        HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`hardhat node did not start within 60 s:\n${output.slice(-2000)}`))
    }, 60_000)
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000)
      if (output.includes('Started HTTP and WebSocket JSON-RPC server')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`hardhat node exited with code ${code} while starting:\n${output.slice(-2000)}`))
    })
  })
  // Keep draining its output (it logs every request at times), or the pipe fills and the node stalls.
  child.stdout!.resume()
  child.stderr!.resume()

  const url = `http://127.0.0.1:${chosenPort}`
  const rpc = <T>(method: string, params: unknown[] = []) => jsonRpc<T>(url, method, params)
  const accounts = await rpc<`0x${string}`[]>('eth_accounts')
  const chainId = Number(await rpc<string>('eth_chainId'))
  return {
    url,
    port: chosenPort,
    chainId,
    accounts,
    miner: accounts[0]!,
    rpc,
    blockNumber: async () => Number(await rpc<string>('eth_blockNumber')),
    mine: async (count = 1) => void (await rpc('hardhat_mine', [toHex(count)])),
    setIntervalMining: async (ms) => void (await rpc('evm_setIntervalMining', [ms])),
    snapshot: () => rpc<string>('evm_snapshot'),
    revert: (id) => rpc<boolean>('evm_revert', [id]),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        child.kill('SIGTERM')
      }),
  }
}

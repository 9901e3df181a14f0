import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../src/lib/freePort.js'
import { createRpcClient } from '../src/rpc/createRpcClient.js'
import type { RpcEndpointStateEvent } from '../src/rpc/createRpcTransport.js'
import {
  RpcEndpointError,
  RpcResponseError,
  RpcUnavailableError,
  rpcUnavailableCause,
} from '../src/rpc/errors.js'
import { postJsonRpc } from '../src/rpc/postJsonRpc.js'
import { createRpcCounters } from '../src/rpc/rpcCounters.js'
import { type FaultProxy, startFaultProxy } from './support/faultProxy.js'

/** A tiny deterministic JSON-RPC chain (no hardhat needed to test the transport). */
function stubChain(chainId: number): Promise<{ url: string; server: Server }> {
  const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}`
  const block = (n: number, full: boolean) => ({
    number: `0x${n.toString(16)}`,
    hash: h(n + 1),
    parentHash: h(n),
    timestamp: `0x${(1_700_000_000 + n).toString(16)}`,
    gasUsed: '0x5208',
    gasLimit: '0x7a120',
    miner: `0x${'00'.repeat(19)}aa`,
    baseFeePerGas: '0x3b9aca00',
    transactions: full
      ? [
          {
            hash: h(9_999),
            from: `0x${'00'.repeat(19)}a1`,
            blockHash: h(n + 1),
            blockNumber: `0x${n.toString(16)}`,
            type: '0x0',
            gasPrice: '0x77359400',
          },
        ]
      : [h(9_999)],
  })
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      const { id, method, params } = JSON.parse(body)
      const result =
        method === 'eth_chainId'
          ? `0x${chainId.toString(16)}`
          : method === 'eth_blockNumber'
            ? '0x64'
            : method === 'eth_getBlockByNumber'
              ? block(Number(BigInt(params[0])), params[1] === true)
              : null
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ jsonrpc: '2.0', id, result }))
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address()
      resolve({ url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, server })
    }),
  )
}

/** Every error message and cause in a chain, flattened: what could reach a log. */
function errorText(error: unknown): string {
  const parts: string[] = []
  let e: unknown = error
  while (e instanceof Error) {
    parts.push(e.message, JSON.stringify({ ...e }))
    e = e.cause
  }
  return parts.join('\n')
}

describe('the RPC edge (src/rpc) over faulty endpoints', () => {
  let chain: { url: string; server: Server }
  let wrong: { url: string; server: Server }
  let a: FaultProxy
  let b: FaultProxy

  beforeAll(async () => {
    chain = await stubChain(7)
    wrong = await stubChain(8)
    a = await startFaultProxy({ target: chain.url })
    b = await startFaultProxy({ target: chain.url })
  })
  afterAll(async () => {
    await a?.stop()
    await b?.stop()
    chain?.server.close()
    wrong?.server.close()
  })

  it('fails over on every kind of fault, counts per endpoint label, and opens the breaker', async () => {
    const counters = createRpcCounters()
    const states: RpcEndpointStateEvent[] = []
    const client = createRpcClient({
      chainId: 7,
      urls: [a.url, b.url],
      timeoutMs: 300,
      retries: 0,
      breakerThreshold: 100, // not yet: first every fault kind
      onCall: counters.onCall,
      onEndpointState: (e) => states.push(e),
    })
    const modes = ['down', 'hang', 'garbage', 'http-error', 'rpc-error', 'inconsistent'] as const
    for (const mode of modes) {
      await a.setMode(mode)
      const block = await client.getBlock({ blockNumber: 42n, includeTransactions: true })
      expect(block.number, mode).toBe(42n)
    }
    await a.setMode('pass')
    const byOutcome = counters.snapshot().find((c) => c.endpoint.endsWith('#0'))!.byOutcome
    expect(byOutcome).toMatchObject({ network: 1, timeout: 1, garbage: 1, http: 1, rpc: 1, invalid: 1 })
    // Labels are host#index; the key in the URL's path is nowhere.
    for (const c of counters.snapshot()) expect(c.endpoint).toMatch(/^127\.0\.0\.1:\d+#[01]$/)
    expect(JSON.stringify(counters.snapshot())).not.toContain(a.secret)
    expect(states).toEqual([])

    // Breaker: three consecutive failures open endpoint #0's circuit; it is then skipped without a call.
    const guarded = createRpcClient({
      chainId: 7,
      urls: [a.url, b.url],
      timeoutMs: 300,
      retries: 0,
      onCall: counters.onCall,
      onEndpointState: (e) => states.push(e),
    })
    await a.setMode('rpc-error')
    const calls = () => Object.values(a.requests).reduce((sum, n) => sum + n, 0)
    const before = calls()
    for (let i = 0; i < 6; i++) await guarded.getBlock({ blockNumber: BigInt(i) })
    expect(calls() - before).toBe(3)
    expect(states.map((s) => s.state)).toEqual(['open'])
    await a.setMode('pass')
  })

  it('calls an endpoint whose URL has user:password@ with Basic authentication (fetch refuses such a URL)', async () => {
    const seen: Array<string | undefined> = []
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization)
      let body = ''
      req.on('data', (d) => (body += d))
      req.on('end', () => {
        const { id } = JSON.parse(body) as { id: number }
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ jsonrpc: '2.0', id, result: '0x7' }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      const result = await postJsonRpc({
        url: `http://alice:pw%40SECRET99@127.0.0.1:${port}/rpc`,
        endpoint: `127.0.0.1:${port}#0`,
        method: 'eth_chainId',
        params: [],
        timeoutMs: 2_000,
      })
      expect(result).toBe('0x7')
      expect(seen).toEqual([`Basic ${Buffer.from('alice:pw@SECRET99').toString('base64')}`])
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('an endpoint whose circuit is open names the failure that opened it, and never the key', async () => {
    // Nothing listens on this port: every call is refused.
    const url = `http://127.0.0.1:${await freePort()}/v2/SECRETKEY999`
    const client = createRpcClient({ chainId: 7, urls: [url], timeoutMs: 300, retries: 0 })
    const failures: string[] = []
    for (let i = 0; i < 5; i++) {
      const error = await client.getBlockNumber({ cacheTime: 0 }).catch((e: unknown) => e)
      failures.push(
        rpcUnavailableCause(error)
          ?.failures.map((f) => f.message)
          .join('; ') ?? String(error),
      )
    }
    expect(failures[0]).toMatch(/failed \(network\): connection failed \(ECONNREFUSED\)/)
    expect(failures.at(-1)).toMatch(
      /failed \(open-circuit\): circuit open after network: connection failed \(ECONNREFUSED\)/,
    )
    expect(failures.join('\n')).not.toContain('SECRETKEY999')
  })

  it('an inconsistent block is an error naming the endpoint (redacted), never data', async () => {
    const client = createRpcClient({
      chainId: 7,
      urls: [a.url],
      timeoutMs: 500,
      retries: 1,
      backoffInitialMs: 10,
    })
    await a.setMode('inconsistent')
    const error = await client
      .getBlock({ blockNumber: 5n, includeTransactions: true })
      .catch((e: unknown) => e)
    await a.setMode('pass')
    let cause: unknown = error
    while (cause instanceof Error && !(cause instanceof RpcUnavailableError)) cause = cause.cause
    expect(cause).toBeInstanceOf(RpcUnavailableError)
    const failure = (cause as RpcUnavailableError).failures[0]!
    expect(failure).toBeInstanceOf(RpcResponseError)
    expect(failure.endpoint).toMatch(/^127\.0\.0\.1:\d+#0$/)
    expect(failure.message).toMatch(/transaction 0 belongs to block/)
    expect(errorText(error)).not.toContain(a.secret)
  })

  it('skips an endpoint of another chain, and says so without its URL', async () => {
    const secretUrl = `${wrong.url}/v2/wrongchainsecret`
    const states: RpcEndpointStateEvent[] = []
    const client = createRpcClient({
      chainId: 7,
      urls: [secretUrl, b.url],
      timeoutMs: 500,
      retries: 0,
      onEndpointState: (e) => states.push(e),
    })
    expect((await client.getBlock({ blockNumber: 3n })).number).toBe(3n)
    expect(states).toEqual([
      {
        chainId: 7,
        endpoint: expect.stringMatching(/#0$/),
        state: 'wrong-chain',
        problem: 'serves chain 8, configured for chain 7',
      },
    ])
    expect(JSON.stringify(states)).not.toContain('wrongchainsecret')
  })

  it('every endpoint down: RpcUnavailableError after the retries, with each endpoint failure, redacted', async () => {
    await a.setMode('down')
    await b.setMode('hang')
    const client = createRpcClient({
      chainId: 7,
      urls: [a.url, b.url],
      timeoutMs: 200,
      retries: 2,
      backoffInitialMs: 10,
      verifyChainId: false,
    })
    const error = await client.getBlockNumber().catch((e: unknown) => e)
    await a.setMode('pass')
    await b.setMode('pass')
    let cause: unknown = error
    while (cause instanceof Error && !(cause instanceof RpcUnavailableError)) cause = cause.cause
    expect(cause).toBeInstanceOf(RpcUnavailableError)
    expect((cause as RpcUnavailableError).failures.map((f) => f.kind)).toEqual(['network', 'timeout'])
    expect((cause as RpcUnavailableError).failures[0]).toBeInstanceOf(RpcEndpointError)
    const text = errorText(error)
    expect(text).not.toContain(a.secret)
    expect(text).not.toContain(b.secret)
    // And it recovers once they are back.
    expect(await client.getBlockNumber()).toBe(100n)
  })
})

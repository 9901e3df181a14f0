import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type FeecastProcess, startFeecast } from '../support/feecastProcess.js'
import { type HostileRpc, startHostileRpc } from '../support/hostileRpc.js'

/**
 * Issue #11 item 6: providers quote the API key back in their error messages. `feecast start` on two
 * real chains' worth of hostile endpoints: one refuses every call with a 401 whose JSON body quotes the
 * key, the other serves the chain id and then answers JSON-RPC errors quoting its key and its whole URL.
 * Nothing feecast logs, exports or answers may hold a key, and the 401 keeps its status.
 */

let work: string
let refusing: HostileRpc
let quoting: HostileRpc
let feecast: FeecastProcess | undefined

afterAll(async () => {
  await feecast?.stop('SIGKILL')
  await refusing?.stop()
  await quoting?.stop()
  if (work) rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
})

describe('secrets in upstream error text', () => {
  it('never appear in logs, metrics or answers; a 401 is reported with its status', async () => {
    work = mkdtempSync(join(tmpdir(), 'feecast-secrets-'))
    refusing = await startHostileRpc({
      answer: () => ({
        status: 401,
        body: { error: `invalid project id ${refusing.secrets[0]} (apikey=${refusing.secrets[1]})` },
      }),
    })
    quoting = await startHostileRpc({
      answer: (call) =>
        call.method === 'eth_chainId'
          ? { result: '0x1' }
          : {
              status: 200,
              body: {
                jsonrpc: '2.0',
                id: call.id,
                error: {
                  code: -32005,
                  message: `project ${quoting.secrets[0].toUpperCase()} exceeded its quota at ${quoting.url}; key ${encodeURIComponent(quoting.secrets[1])}`,
                },
              },
            },
    })
    const secrets = [...refusing.secrets, ...quoting.secrets]
    feecast = await startFeecast({
      env: {
        RPC_URL_1: `${refusing.url},${quoting.url}`,
        FEECAST_STATE_DIR: join(work, 'state'),
        LOG_LEVEL: 'debug',
        RPC_RETRIES: '0',
        RPC_TIMEOUT_MS: '2000',
      },
    })
    // Both endpoints have been called and failures logged a few times.
    await feecast.waitForLog(/sampling failed/, 60_000, (l) => Number(l.failures) >= 3)
    expect(refusing.calls.eth_chainId ?? 0).toBeGreaterThan(0)
    expect(quoting.calls.eth_blockNumber ?? 0).toBeGreaterThan(0)

    const answers: string[] = []
    for (const path of ['/metrics', '/readyz', '/chains', '/predict?chainId=1', '/healthz'])
      answers.push(await (await fetch(`${feecast.url}${path}`)).text())
    expect(await feecast.stop('SIGTERM')).toBe(0)

    const everything = `${feecast.output()}\n${answers.join('\n')}`
    for (const secret of secrets) expect(everything.toLowerCase()).not.toContain(secret.toLowerCase())
    // The refusal keeps its status and what the provider said (with the key hidden).
    expect(feecast.output()).toContain('HTTP 401: invalid project id ***')
    expect(feecast.output()).not.toContain('JSON-RPC error ?: no message')
    expect(feecast.output()).toMatch(/JSON-RPC error -32005: project \*\*\* exceeded its quota/)
  }, 120_000)
})

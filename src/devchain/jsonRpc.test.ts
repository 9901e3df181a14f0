import { describe, expect, it } from 'vitest'
import { JsonRpcError } from './errors.js'
import { handleJsonRpc, type RpcMethods, rpcErrorCodes } from './jsonRpc.js'

const methods: RpcMethods = {
  echo: (params) => params,
  fail: () => {
    throw new JsonRpcError(rpcErrorCodes.invalidParams, 'invalid argument 0: nope')
  },
  crash: () => {
    throw new Error('boom')
  },
  nothing: () => undefined,
}
const call = async (body: string) => {
  const text = await handleJsonRpc({ body, methods })
  return text === null ? null : JSON.parse(text)
}

describe('handleJsonRpc', () => {
  it('answers a call with its id', async () => {
    expect(await call('{"jsonrpc":"2.0","id":7,"method":"echo","params":[1,"a"]}')).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: [1, 'a'],
    })
    expect(await call('{"jsonrpc":"2.0","id":"x","method":"nothing"}')).toEqual({
      jsonrpc: '2.0',
      id: 'x',
      result: null,
    })
  })

  it('uses the standard error codes', async () => {
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"ech')).error.code).toBe(-32700)
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"nope"}')).error).toEqual({
      code: -32601,
      message: 'the method nope does not exist/is not available',
    })
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"fail"}')).error.code).toBe(-32602)
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}}')).error.code).toBe(-32602)
    expect((await call('{"jsonrpc":"2.0","id":1,"method":"crash"}')).error).toMatchObject({ code: -32603 })
    expect(await call('{"jsonrpc":"1.0","id":1,"method":"echo"}')).toMatchObject({
      id: 1,
      error: { code: -32600 },
    })
    expect(await call('{"jsonrpc":"2.0","id":{},"method":"echo"}')).toMatchObject({
      id: null,
      error: { code: -32600 },
    })
    expect(await call('{"jsonrpc":"2.0","id":1,"method":"echo","params":5}')).toMatchObject({
      error: { code: -32600 },
    })
    expect(await call('"hello"')).toMatchObject({ id: null, error: { code: -32600 } })
  })

  it('serves batches, skips notifications, and rejects an empty batch', async () => {
    const out = await call(
      '[{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]},{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","id":2,"method":"nope"},1]',
    )
    expect(out).toEqual([
      { jsonrpc: '2.0', id: 1, result: [1] },
      {
        jsonrpc: '2.0',
        id: 2,
        error: { code: -32601, message: 'the method nope does not exist/is not available' },
      },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: not an object' } },
    ])
    expect(await call('[]')).toMatchObject({ id: null, error: { code: -32600 } })
    expect(await call('{"jsonrpc":"2.0","method":"nope"}')).toBeNull()
    expect(await call('[{"jsonrpc":"2.0","method":"echo"}]')).toBeNull()
  })
})

import { FeecastError } from '../errors.js'

/** A JSON-RPC call the devchain refuses: its code and message are the error object of the response. */
export class JsonRpcError extends FeecastError {
  override name = 'JsonRpcError'
  readonly code: number
  readonly data: unknown
  constructor(code: number, message: string, data?: unknown) {
    super(message)
    this.code = code
    this.data = data
  }
}

import { jsonError } from '../httpErrors.js'
import { requestHeader } from '../nodeHeaders.js'
import type { Step } from './edge.js'

export type RequestLimitsParameters = {
  /** Largest body accepted (bytes). The API reads no bodies: this only bounds what a client may send. */
  maxBodyBytes: number
  /** Longest request target (path and query) accepted. Default 2048. */
  maxUrlLength?: number
}

/**
 * Request size limits: a request target over `maxUrlLength` is 414; a body declared (Content-Length)
 * over `maxBodyBytes` is 413, and so is a chunked body, whose size is unknown until read (the API reads
 * no bodies). Headers are bounded by the HTTP server itself (431, see server.ts).
 */
/** Longest request target (path and query) accepted by default. */
export const defaultMaxUrlLength = 2048

export function requestLimits({
  maxBodyBytes,
  maxUrlLength = defaultMaxUrlLength,
}: RequestLimitsParameters): Step {
  const tooLarge = `Request bodies are limited to ${maxBodyBytes} bytes, with a Content-Length (this API reads none).`
  return (c) => {
    const target =
      c.env?.incoming?.url ?? c.req.url.slice(c.req.url.indexOf('/', c.req.url.indexOf('//') + 2))
    if (target.length > maxUrlLength)
      return jsonError(
        c,
        414,
        'uri_too_long',
        `The request target is longer than ${maxUrlLength} characters.`,
      )
    const length = requestHeader(c, 'content-length')
    if (length !== undefined) {
      if (!/^[0-9]+$/.test(length) || Number(length) > maxBodyBytes)
        return jsonError(c, 413, 'payload_too_large', tooLarge)
    } else if (requestHeader(c, 'transfer-encoding') !== undefined)
      return jsonError(c, 413, 'payload_too_large', tooLarge, {}, { Connection: 'close' })
    return undefined
  }
}

import type { Step } from '../core/pipeline.js'
import { errorAnswer } from '../httpErrors.js'

export type RequestLimitsParameters = {
  /** Largest body accepted (bytes). The API reads no bodies: this only bounds what a client may send. */
  maxBodyBytes: number
  /** Longest request target (path and query) accepted. Default 2048. */
  maxUrlLength?: number
}

/** Longest request target (path and query) accepted by default. */
export const defaultMaxUrlLength = 2048

/**
 * Request size limits: a request target over `maxUrlLength` is 414; a body declared (Content-Length)
 * over `maxBodyBytes` is 413, and so is a chunked body, whose size is unknown until read (the API reads
 * no bodies). Headers are bounded by the HTTP server itself (431, see server.ts).
 */
export function requestLimits({
  maxBodyBytes,
  maxUrlLength = defaultMaxUrlLength,
}: RequestLimitsParameters): Step {
  const tooLarge = `Request bodies are limited to ${maxBodyBytes} bytes, with a Content-Length (this API reads none).`
  return (c) => {
    if (c.target.length > maxUrlLength)
      return errorAnswer(
        c,
        414,
        'uri_too_long',
        `The request target is longer than ${maxUrlLength} characters.`,
      )
    const length = c.headers.contentLength
    if (length !== undefined) {
      if (!/^[0-9]+$/.test(length) || Number(length) > maxBodyBytes)
        return errorAnswer(c, 413, 'payload_too_large', tooLarge)
    } else if (c.headers.transferEncoding !== undefined)
      return errorAnswer(c, 413, 'payload_too_large', tooLarge, {}, ['Connection', 'close'])
    return undefined
  }
}

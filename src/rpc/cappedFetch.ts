import { ResponseTooLargeError } from './errors.js'
import { readCapped } from './readCapped.js'

export type CappedFetchParameters = {
  /** Largest response body read (bytes); past it the read is cut off and the call fails. */
  maxBytes: number
}

/**
 * `fetch` for viem's http transport (its `fetchFn`) whose response bodies are read under a cap: a
 * hostile endpoint that streams without end costs at most `maxBytes` of memory, then the connection.
 * The error names the cap, never the URL.
 */
export function cappedFetch({ maxBytes }: CappedFetchParameters): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init)
    const read = await readCapped(response, maxBytes)
    if (read.over) throw new ResponseTooLargeError(maxBytes, read.seen)
    return new Response(read.text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}

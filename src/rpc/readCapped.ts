export type ReadCappedReturnType = { over: false; text: string } | { over: true; seen: number }

/**
 * A response body as text, read chunk by chunk and abandoned as soon as it passes `maxBytes` (or its
 * Content-Length says it will): what is held never exceeds the cap by more than one chunk, whatever a
 * hostile endpoint streams.
 */
export async function readCapped(response: Response, maxBytes: number): Promise<ReadCappedReturnType> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    return { over: true, seen: 0 }
  }
  if (!response.body) return { over: false, text: '' }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let seen = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    seen += value.byteLength
    if (seen > maxBytes) {
      chunks.length = 0
      await reader.cancel().catch(() => {})
      return { over: true, seen }
    }
    chunks.push(value)
  }
  return { over: false, text: Buffer.concat(chunks).toString('utf8') }
}

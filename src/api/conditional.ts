/**
 * HTTP caching tied to the block: an ETag names the prediction (chain, head block, computation) and
 * its freshness state; Cache-Control lets a client keep an answer until the next block is due.
 */

/** The weak ETag of an answer rendered from prediction `version`. */
export function etagFor(version: string, variant: string, stale: boolean): string {
  return `W/"${version}${variant === '' ? '' : `.${variant}`}${stale ? '.stale' : ''}"`
}

/** Whether If-None-Match names this ETag (weak comparison, lists and `*` included). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  // A client revalidating sends back the one ETag it was given: no list to parse.
  if (ifNoneMatch === etag) return true
  const target = opaque(etag)
  for (const candidate of ifNoneMatch.split(',')) {
    const tag = candidate.trim()
    if (tag === '*' || opaque(tag) === target) return true
  }
  return false
}

const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag)

/**
 * Cache-Control for an answer whose data is `ageMs` old: cacheable until the next block is due
 * (at least 0 s, at most one block time), and not at all once stale.
 */
export function cacheControlFor(ageMs: number, blockTimeSeconds: number, stale: boolean): string {
  if (stale) return 'no-cache'
  const maxAge = Math.max(
    0,
    Math.min(Math.floor(blockTimeSeconds), Math.floor(blockTimeSeconds - ageMs / 1000)),
  )
  return `public, max-age=${maxAge}`
}

import { TrieRouter } from 'hono/router/trie-router'

/**
 * Which route a path names. Static paths (the hot ones: /predict) are a map lookup; paths with
 * parameters go through Hono's trie router. Routes answer GET and HEAD; another method on a known path
 * is "method not allowed" (405), an unknown path "not found" (404).
 */
export type RouterMatch<R> = { route: R; params: Readonly<Record<string, string>> } | undefined

export type Router<R> = {
  /** Adds a route at a path pattern (`/networks/:chainId/suggestedGasFees`). */
  add(pattern: string, route: R): void
  match(path: string): RouterMatch<R>
}

const noParams: Readonly<Record<string, string>> = Object.freeze({})

/**
 * Paths with parameters whose match is remembered. A wallet asks for the same few chains, so the trie
 * (which allocates about 1 KiB per search) runs once per distinct path; a client sending endless
 * distinct paths only refills the memo, never grows it.
 */
export const rememberedPaths = 1_024

export function createRouter<R>(): Router<R> {
  // A static path's match never changes: made once, not per request.
  const statics = new Map<string, RouterMatch<R>>()
  const trie = new TrieRouter<R>()
  let hasParams = false
  const remembered = new Map<string, RouterMatch<R>>()
  const search = (path: string): RouterMatch<R> => {
    const [found] = trie.match('GET', path) as unknown as [Array<[R, Record<string, string>]>]
    const first = found[0]
    return first === undefined ? undefined : { route: first[0], params: Object.freeze(first[1]) }
  }
  return {
    add(pattern, route) {
      remembered.clear()
      if (pattern.includes(':')) {
        trie.add('GET', pattern, route)
        hasParams = true
      } else statics.set(pattern, { route, params: noParams })
    },
    match(path) {
      const known = statics.get(path)
      if (known !== undefined) return known
      if (!hasParams) return undefined
      const remembers = remembered.get(path)
      if (remembers !== undefined || remembered.has(path)) return remembers
      const match = search(path)
      if (remembered.size >= rememberedPaths) remembered.clear()
      remembered.set(path, match)
      return match
    },
  }
}

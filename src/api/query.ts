/**
 * The query string of a request target as name → value, or name → values when repeated. Plain
 * splitting, decoding only what is encoded: Hono's `c.req.queries()` cost a sixth of a /predict answer.
 * A malformed escape keeps the raw text (validation then rejects it).
 */
export function parseQuery(target: string): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {}
  const start = target.indexOf('?')
  if (start < 0) return values
  const end = target.indexOf('#', start)
  const query = target.slice(start + 1, end < 0 ? undefined : end)
  if (query === '') return values
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decode(eq < 0 ? pair : pair.slice(0, eq))
    if (name === '__proto__') continue
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1))
    const existing = Object.hasOwn(values, name) ? values[name] : undefined
    if (existing === undefined) values[name] = value
    else if (Array.isArray(existing)) existing.push(value)
    else values[name] = [existing, value]
  }
  return values
}

function decode(text: string): string {
  if (!/[%+]/.test(text)) return text
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

/**
 * A query parameter named as one of `expected` but in another case (withinblocks, ChainId): a typo to
 * name, since ignoring it silently gave the defaults. The name given and the one meant.
 */
export function miscasedParameter(
  values: Record<string, string | string[]>,
  expected: readonly string[],
): { given: string; expected: string } | undefined {
  for (const given of Object.keys(values)) {
    if (expected.includes(given)) continue
    const meant = expected.find((name) => name.toLowerCase() === given.toLowerCase())
    if (meant !== undefined) return { given, expected: meant }
  }
  return undefined
}

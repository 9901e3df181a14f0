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

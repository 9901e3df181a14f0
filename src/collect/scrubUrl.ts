import { redactUrl } from '../lib/redact.js'

/**
 * Replaces every spelling of an RPC URL in a text (viem's error messages quote the URL they called)
 * by its redacted form, and any secret part of it (path, query, user info) that appears on its own.
 */
export function scrubUrl(text: string, url: string): string {
  const redacted = redactUrl(url)
  const spellings = new Set<string>([url])
  const secrets = new Set<string>()
  try {
    const u = new URL(url)
    spellings.add(u.href)
    spellings.add(u.href.replace(/\/$/, ''))
    const parts = [u.pathname, u.search, u.hash, u.username, u.password, decodeURIComponent(u.pathname)]
    // Keys also travel alone: a path segment or a query value quoted in a message.
    for (const segment of u.pathname.split('/')) parts.push(segment)
    for (const value of u.searchParams.values()) parts.push(value)
    for (const part of parts) if (part && part !== '/' && part.length >= 6) secrets.add(part)
  } catch {
    // Not a URL: only its literal spelling can be hidden.
  }
  let out = text
  for (const s of [...spellings].sort((a, b) => b.length - a.length)) out = out.split(s).join(redacted)
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('***')
  return out
}

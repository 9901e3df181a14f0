import { Buffer } from 'node:buffer'

/**
 * The one place that decides what is secret and hides it. RPC and Redis URLs carry API keys in their
 * user info, path (Infura /v3/<key>, Alchemy /v2/<key>, QuickNode /<key>/) or query (?apikey=...), and
 * providers quote those keys back in their error messages ("invalid project id <key>"). Everything that
 * leaves the process (log lines, metrics, API answers) goes through a Redactor built from the
 * configured URLs and API keys, so a key is hidden however it travels: in its URL, alone, or encoded.
 */

/**
 * A URL as it may be shown: scheme, host and port. Anything else (user info, path, query, fragment)
 * becomes "/***", since a path may hold a key whatever it looks like.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    const hidden =
      u.username !== '' ||
      u.password !== '' ||
      (u.pathname !== '/' && u.pathname !== '') ||
      u.search !== '' ||
      u.hash !== ''
    return `${u.protocol}//${shownHost(u)}${hidden ? '/***' : ''}`
  } catch {
    return '<unparseable url>'
  }
}

/** A short, bounded label for an endpoint in metrics and logs: host and its position in the list. */
export function endpointLabel(url: string, index: number): string {
  try {
    return `${shownHost(new URL(url))}#${index}`
  } catch {
    return `endpoint#${index}`
  }
}

/**
 * The labels of a URL's host name that look like keys: a provider may give each customer a host of its
 * own (`<token>.rpc.example.com`). Stricter than for paths, since host names are full of short mixes of
 * letters and digits that name places and machines (`bsc-dataseed1`, `zksync2-mainnet`, `us-east-1-4`,
 * `geth-0`): 16 or more letters and digits (hyphens aside) with at least 4 digits, as a token's are. The
 * registrable domain (the last two labels) and IP addresses are never keys.
 */
export function hostKeyLabels(u: URL): string[] {
  const name = u.hostname
  if (name.startsWith('[') || /^[0-9.]+$/.test(name)) return []
  return name
    .split('.')
    .slice(0, -2)
    .filter((label) => {
      const compact = label.replaceAll('-', '')
      return compact.length >= 16 && /[a-z]/i.test(compact) && (compact.match(/[0-9]/g)?.length ?? 0) >= 4
    })
}

/** A URL's host name with its key-like labels as '***': the only form of it that leaves the process. */
export function shownHostname(u: URL): string {
  const keys = new Set(hostKeyLabels(u))
  if (keys.size === 0) return u.hostname
  return u.hostname
    .split('.')
    .map((label) => (keys.has(label) ? '***' : label))
    .join('.')
}

/** host[:port] as shownHostname shows it. */
export function shownHost(u: URL): string {
  return u.port ? `${shownHostname(u)}:${u.port}` : shownHostname(u)
}

/** Shorter values are never treated as secrets on their own: hiding "1" or "rpc" everywhere hides nothing. */
const minSecretLength = 4

/**
 * Whether a path segment looks like a key rather than a route: random-looking tokens are keys
 * (`0123456789abcdef...`, `a1B2c3...`, UUIDs), words are not (`rpc`, `v3`, `mainnet`, `ext`, `bc`,
 * `base-sepolia`). A token counts as random when it mixes letters and digits (6+ characters), mixes
 * letter cases (12+), or is long (24+).
 */
export function isKeyLike(segment: string): boolean {
  if (!/^[A-Za-z0-9._~+=-]+$/.test(segment)) return segment.length >= 12
  const letters = /[A-Za-z]/.test(segment)
  const digits = /[0-9]/.test(segment)
  if (letters && digits && segment.length >= 6 && !/^v[0-9]+$/i.test(segment)) return true
  if (/[a-z]/.test(segment) && /[A-Z]/.test(segment) && segment.length >= 12) return true
  return segment.length >= 24
}

/**
 * The secret parts of one URL: user name and password, key-like path segments, every query value
 * and the fragment. Harmless path segments (`/rpc`, `/v3`) are not secrets.
 */
export function urlSecrets(url: string): string[] {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    // Not a URL: all of it may be secret.
    return url.length >= minSecretLength ? [url] : []
  }
  const secrets: string[] = []
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  }
  secrets.push(...hostKeyLabels(u))
  if (u.username) secrets.push(decode(u.username))
  if (u.password) secrets.push(decode(u.password))
  for (const segment of u.pathname.split('/')) {
    const value = decode(segment)
    if (value && isKeyLike(value)) secrets.push(value)
  }
  for (const value of u.searchParams.values()) secrets.push(value)
  if (u.hash.length > 1) secrets.push(decode(u.hash.slice(1)))
  return secrets.filter((s) => s.length >= minSecretLength)
}

/** A URL's `user:password`, as HTTP Basic authentication sends it (base64 of this), or undefined. */
export function basicCredentials(url: string): string | undefined {
  try {
    const u = new URL(url)
    if (u.username === '' && u.password === '') return undefined
    return `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`
  } catch {
    return undefined
  }
}

/** Replaces secrets in text. `secrets` lists what it hides (for tests and the API's own checks). */
export type Redactor = ((text: string) => string) & { readonly secrets: readonly string[] }

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A redactor for configured URLs and bare secrets (API keys): each URL, in every spelling, becomes its
 * redactUrl form; each secret part (and a URL's user:password), alone, URL-encoded, JSON-escaped or in
 * base64, and in any letter case, becomes "***".
 */
export function createRedactor({
  urls = [],
  secrets = [],
}: {
  urls?: Iterable<string>
  secrets?: Iterable<string>
}): Redactor {
  const spellings = new Map<string, string>()
  const parts = new Set<string>()
  for (const url of urls) {
    const shown = redactUrl(url)
    spellings.set(url, shown)
    try {
      const href = new URL(url).href
      spellings.set(href, shown)
      spellings.set(href.replace(/\/$/, ''), shown)
    } catch {}
    for (const s of urlSecrets(url)) parts.add(s)
    const basic = basicCredentials(url)
    if (basic !== undefined) parts.add(basic)
  }
  for (const s of secrets) if (s.length >= minSecretLength) parts.add(s)
  const variants = new Set<string>()
  for (const s of parts) {
    variants.add(s)
    variants.add(encodeURIComponent(s))
    variants.add(JSON.stringify(s).slice(1, -1))
    // As a proxy echoes an Authorization header: base64 and base64url, unpadded (a prefix of the padded).
    const base64 = Buffer.from(s).toString('base64').replace(/=+$/, '')
    variants.add(base64)
    variants.add(Buffer.from(s).toString('base64url'))
  }
  const alternation = (values: Iterable<string>) =>
    [...values]
      .filter((v) => v.length > 0)
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|')
  const urlPattern = spellings.size > 0 ? new RegExp(alternation(spellings.keys()), 'g') : undefined
  const secretPattern = variants.size > 0 ? new RegExp(alternation(variants), 'gi') : undefined
  const redact = (text: string): string => {
    let out = text
    if (urlPattern) out = out.replace(urlPattern, (m) => spellings.get(m) ?? '***')
    if (secretPattern) out = out.replace(secretPattern, '***')
    return out
  }
  return Object.assign(redact, { secrets: [...parts] })
}

/** A redactor that hides nothing (no secret configured). */
export const noRedaction: Redactor = Object.assign((text: string) => text, { secrets: [] as string[] })

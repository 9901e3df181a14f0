/**
 * The request headers the API reads, found in one pass over Node's raw header list. `req.headers`
 * builds an object of every header a client sent, which cost more than the rest of a /predict answer;
 * the API reads only these. Repeated headers follow Node's rules for them, but for Host: the first
 * Authorization wins, the others are joined with ", " (so a repeated X-Request-Id is not a usable id, a
 * repeated Origin matches no allowed origin, and a repeated Host is not a valid host).
 */
export type RequestHeaders = {
  host?: string | undefined
  origin?: string | undefined
  ifNoneMatch?: string | undefined
  requestId?: string | undefined
  forwardedFor?: string | undefined
  contentLength?: string | undefined
  transferEncoding?: string | undefined
  authorization?: string | undefined
  apiKey?: string | undefined
  accessControlRequestMethod?: string | undefined
  accessControlRequestHeaders?: string | undefined
}

type Field = keyof RequestHeaders

/** Lower-case header name → field, and whether the first value wins over later ones. */
const fields = new Map<string, { field: Field; firstWins: boolean }>([
  // Joined, not first-wins: a request with two Host lines must be refused (RFC 9112 §3.2), and "a, b" is
  // no valid host, so the hostHeader step answers 400.
  ['host', { field: 'host', firstWins: false }],
  ['origin', { field: 'origin', firstWins: false }],
  ['if-none-match', { field: 'ifNoneMatch', firstWins: false }],
  ['x-request-id', { field: 'requestId', firstWins: false }],
  ['x-forwarded-for', { field: 'forwardedFor', firstWins: false }],
  ['content-length', { field: 'contentLength', firstWins: false }],
  ['transfer-encoding', { field: 'transferEncoding', firstWins: false }],
  ['authorization', { field: 'authorization', firstWins: true }],
  ['x-api-key', { field: 'apiKey', firstWins: false }],
  ['access-control-request-method', { field: 'accessControlRequestMethod', firstWins: false }],
  ['access-control-request-headers', { field: 'accessControlRequestHeaders', firstWins: false }],
])
/** Names are compared by length first: most headers a client sends are passed over without lower-casing. */
const lengths = new Set([...fields.keys()].map((name) => name.length))

/** The same fields under the spelling clients send (Host, If-None-Match): found without lower-casing. */
const asSent = new Map(
  [...fields].map(([name, known]) => [name.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()), known] as const),
)

export function readRequestHeaders(raw: readonly string[]): RequestHeaders {
  // Every field present from the start: one object shape whatever a client sends, so the middleware's reads
  // of these fields stay monomorphic (a field added when seen gave a shape per header order).
  const headers: RequestHeaders = {
    host: undefined,
    origin: undefined,
    ifNoneMatch: undefined,
    requestId: undefined,
    forwardedFor: undefined,
    contentLength: undefined,
    transferEncoding: undefined,
    authorization: undefined,
    apiKey: undefined,
    accessControlRequestMethod: undefined,
    accessControlRequestHeaders: undefined,
  } satisfies Record<keyof RequestHeaders, undefined>
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (!lengths.has(name.length)) continue
    const known = asSent.get(name) ?? fields.get(name) ?? fields.get(name.toLowerCase())
    if (known === undefined) continue
    const value = raw[i + 1] as string
    const seen = headers[known.field]
    if (seen === undefined) headers[known.field] = value
    else if (!known.firstWins) headers[known.field] = `${seen}, ${value}`
  }
  return headers
}

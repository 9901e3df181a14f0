/**
 * RPC URLs carry API keys in their path, query or user info (Infura /v3/<key>, Alchemy /v2/<key>,
 * ?apikey=...). Only scheme, host and port survive redaction; everything else becomes "***".
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
    return `${u.protocol}//${u.host}${hidden ? '/***' : ''}`
  } catch {
    return '<unparseable url>'
  }
}

/** A short, bounded label for an endpoint in metrics and logs: host and its position in the list. */
export function endpointLabel(url: string, index: number): string {
  try {
    return `${new URL(url).host}#${index}`
  } catch {
    return `endpoint#${index}`
  }
}

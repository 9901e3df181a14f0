import type { Redactor } from '../lib/redact.js'

/**
 * A provider's own words (an error message, an HTTP body) fit to quote in an error: redacted before it
 * is cut, since a cut could leave part of a key that no longer matches; at most 200 characters; URLs
 * replaced, since a provider often echoes the request's.
 */
export function quoteProviderText(text: string, redact: Redactor): string {
  return redact(text)
    .slice(0, 200)
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>')
}

import { Buffer } from 'node:buffer'
import { basicCredentials } from '../lib/redact.js'

export type WithoutCredentialsReturnType = {
  /** The URL without its user info. */
  url: string
  /** `Basic <base64(user:password)>` when the URL had user info. */
  authorization: string | undefined
}

/**
 * An endpoint URL with `user:password@` as fetch can call it: fetch refuses a URL with credentials
 * ("Request cannot be constructed from a URL that includes credentials"), and a provider that takes
 * Basic authentication expects them in the Authorization header, where they go instead.
 */
export function withoutCredentials(url: string): WithoutCredentialsReturnType {
  if (!url.includes('@')) return { url, authorization: undefined }
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return { url, authorization: undefined }
  }
  const credentials = basicCredentials(url)
  if (credentials === undefined) return { url, authorization: undefined }
  u.username = ''
  u.password = ''
  return { url: u.href, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
}

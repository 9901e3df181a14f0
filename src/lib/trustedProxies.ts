import { BlockList, isIP } from 'node:net'

/** Whether an address is one of the configured reverse proxies (TRUST_PROXY). */
export type TrustedProxies = (address: string | undefined) => boolean

/** The form TRUST_PROXY entries take: an IP address, or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
export function isProxyEntry(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/')
  if (extra !== undefined || address === undefined) return false
  const family = isIP(address)
  if (family === 0) return false
  if (prefix === undefined) return true
  if (!/^[0-9]{1,3}$/.test(prefix)) return false
  return Number(prefix) <= (family === 4 ? 32 : 128)
}

/**
 * The trusted proxies as a lookup (IPv4-mapped IPv6 addresses count as their IPv4 one). An empty list
 * trusts nobody: X-Forwarded-For is then ignored.
 */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  if (entries.length === 0) return () => false
  const list = new BlockList()
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/')
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    if (prefix === undefined) list.addAddress(address, family)
    else list.addSubnet(address, Number(prefix), family)
  }
  return (raw) => {
    if (raw === undefined) return false
    const address = raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw
    const family = isIP(address)
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4')
  }
}

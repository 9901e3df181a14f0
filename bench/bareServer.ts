/**
 * The baseline of bench/api.ts: a bare node:http server answering every request with the bytes
 * (status, headers, body) feecast answered one query with, prepared once. Reads them from the file
 * named in argv[2]; tells its parent its port over IPC.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'

const { status, headers, body } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  status: number
  headers: Array<[string, string]>
  body: string
}
const payload = Buffer.from(body)
const flat = headers.flat()
if (status !== 304) flat.push('Content-Length', String(payload.length))
const server = createServer((_req, res) => {
  res.writeHead(status, flat)
  if (status === 304) res.end()
  else res.end(payload)
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 })
})
process.once('SIGTERM', () => server.close(() => process.exit(0)))

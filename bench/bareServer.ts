/**
 * The baseline of bench/api.ts: a bare node:http server answering every request with the bytes
 * (status, headers, body) feecast answered /predict with. Reads them from the file named in argv[2].
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'

const { status, headers, body } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  status: number
  headers: Record<string, string>
  body: string
}
const payload = Buffer.from(body)
const server = createServer((_req, res) => {
  res.writeHead(status, { ...headers, 'Content-Length': payload.length })
  res.end(payload)
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 })
})
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'memory') process.send?.({ type: 'memory', ...process.memoryUsage() })
})
process.once('SIGTERM', () => server.close(() => process.exit(0)))

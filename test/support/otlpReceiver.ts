import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A test double for an OpenTelemetry collector (none runs here): an OTLP/HTTP receiver that takes what
 * the SDK's real OTLP/HTTP JSON exporter posts to /v1/traces, keeps every body as received, and decodes
 * the spans (OTLP's JSON encoding: hex ids, attributes as key/value lists).
 */
export type OtlpAttributes = Record<string, string | number | boolean | unknown>

export type ReceivedSpan = {
  traceId: string
  spanId: string
  parentSpanId: string | undefined
  name: string
  kind: number
  startNs: bigint
  endNs: bigint
  attributes: OtlpAttributes
  links: Array<{ traceId: string; spanId: string; attributes: OtlpAttributes }>
  status: { code: number; message: string | undefined }
  resource: OtlpAttributes
}

export type OtlpReceiver = {
  /** The base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT): the exporter appends /v1/traces. */
  endpoint: string
  /** Every request body, as posted. */
  bodies(): string[]
  /** The paths and content types posted to. */
  requests(): Array<{ path: string; contentType: string | undefined }>
  spans(): ReceivedSpan[]
  close(): Promise<void>
}

type AnyValue = {
  stringValue?: string
  intValue?: string | number
  doubleValue?: number
  boolValue?: boolean
  arrayValue?: { values?: AnyValue[] }
}
type KeyValue = { key: string; value: AnyValue }

const anyValueOf = (v: AnyValue): unknown =>
  v.stringValue ??
  (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
  v.doubleValue ??
  v.boolValue ??
  v.arrayValue?.values?.map(anyValueOf)

const attributesOf = (list: KeyValue[] | undefined): OtlpAttributes =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, anyValueOf(value)]))

type ExportRequest = {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] }
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string
        spanId: string
        parentSpanId?: string
        name: string
        kind: number
        startTimeUnixNano: string | number
        endTimeUnixNano: string | number
        attributes?: KeyValue[]
        links?: Array<{ traceId: string; spanId: string; attributes?: KeyValue[] }>
        status?: { code?: number; message?: string }
      }>
    }>
  }>
}

function decode(body: string): ReceivedSpan[] {
  const request = JSON.parse(body) as ExportRequest
  return (request.resourceSpans ?? []).flatMap((rs) => {
    const resource = attributesOf(rs.resource?.attributes)
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId === '' ? undefined : s.parentSpanId,
        name: s.name,
        kind: s.kind,
        startNs: BigInt(s.startTimeUnixNano),
        endNs: BigInt(s.endTimeUnixNano),
        attributes: attributesOf(s.attributes),
        links: (s.links ?? []).map((l) => ({
          traceId: l.traceId,
          spanId: l.spanId,
          attributes: attributesOf(l.attributes),
        })),
        status: { code: s.status?.code ?? 0, message: s.status?.message },
        resource,
      })),
    )
  })
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = []
  const requests: Array<{ path: string; contentType: string | undefined }> = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] })
      if (req.method === 'POST' && req.url === '/v1/traces') {
        bodies.push(Buffer.concat(chunks).toString('utf8'))
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      } else res.writeHead(404).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bodies: () => [...bodies],
    requests: () => [...requests],
    spans: () => bodies.flatMap(decode),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

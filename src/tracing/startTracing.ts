import { createRequire } from 'node:module'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions'
import { useTracer } from './activeTracer.js'
import { endWaitingBlockTraces } from './blockTraces.js'

export type StartTracingParameters = {
  /** Where the OTLP/HTTP exporter posts spans (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or the base endpoint + /v1/traces). */
  tracesUrl: string
  /** service.name (OTEL_SERVICE_NAME, default feecast). */
  serviceName: string
}

/** service.version: feecast's own (src/tracing and dist/tracing both sit two levels below package.json). */
const serviceVersion = (createRequire(import.meta.url)('../../package.json') as { version: string }).version

export type Tracing = {
  /** Ends the traces still waiting for a prediction, exports what is buffered, and stops. */
  shutdown(): Promise<void>
}

/**
 * Turns tracing on: the SDK's tracer provider with the async-hooks context manager and the W3C
 * propagator, its batch processor and its own OTLP/HTTP (JSON) exporter. Called once at start, only when
 * an OTLP endpoint is configured; without it nothing of the SDK is loaded and every span helper is a
 * no-op. The resource names the service only: no host, process or environment detectors (a command
 * line or an environment may carry keys).
 */
export function startTracing({ tracesUrl, serviceName }: StartTracingParameters): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: serviceName,
      [ATTR_SERVICE_VERSION]: serviceVersion,
    }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl, timeoutMillis: 5_000 }), {
        scheduledDelayMillis: 1_000,
      }),
    ],
  })
  provider.register()
  useTracer(provider.getTracer('feecast', serviceVersion))
  return {
    async shutdown() {
      endWaitingBlockTraces()
      useTracer(null)
      // A collector that does not answer costs shutdown at most this long.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        provider.shutdown(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 3_000)
        }),
      ])
      clearTimeout(timer)
    },
  }
}

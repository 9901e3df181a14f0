import { createRequire } from 'node:module'
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi'
import { jsonType } from '../core/answer.js'
import type { RouteDefinition } from '../core/route.js'

const packageVersion = (createRequire(import.meta.url)('../../../package.json') as { version: string })
  .version

/** The OpenAPI 3.1 document of `routes`, generated from their zod schemas. */
export function openApiDocument(routes: readonly RouteDefinition[]): string {
  const registry = new OpenAPIRegistry()
  for (const route of routes) if (!route.undocumented) registry.registerPath(route.openapi)
  return JSON.stringify(
    new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: {
        title: 'feecast',
        version: packageVersion,
        description:
          'Gas fees for inclusion within N blocks with a calibrated probability p. Wei as decimal strings, gwei as numbers.',
      },
    }),
  )
}

/** GET /openapi.json: the document, made once. */
export function openApiRoute({ document }: { document: () => string }): RouteDefinition {
  let body: Buffer | undefined
  return {
    openapi: { method: 'get', path: '/openapi.json', responses: { 200: { description: 'OpenAPI 3.1' } } },
    undocumented: true,
    handler: () => {
      body ??= Buffer.from(document())
      return {
        status: 200,
        headers: ['Content-Type', jsonType, 'Cache-Control', 'public, max-age=300'],
        body,
      }
    },
  }
}

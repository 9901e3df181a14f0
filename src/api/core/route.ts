import type { RouteConfig } from '@asteasolutions/zod-to-openapi'
import type { Handler } from './pipeline.js'

/**
 * One route of the API: its OpenAPI description (zod schemas, documented in /openapi.json) and its
 * handler. Routes answer GET and HEAD.
 */
export type RouteDefinition = {
  /** The OpenAPI description; its path uses `{param}` (the router's pattern is derived from it). */
  openapi: RouteConfig
  /** Rate limited per client (default true); probes and scrapes are not. */
  limited?: boolean
  /** Left out of /openapi.json (the document itself). */
  undocumented?: boolean
  handler: Handler
}

/** The router's pattern of an OpenAPI path: `/networks/{chainId}/x` → `/networks/:chainId/x`. */
export function routePattern(openApiPath: string): string {
  return openApiPath.replace(/\{([^}]+)\}/g, ':$1')
}

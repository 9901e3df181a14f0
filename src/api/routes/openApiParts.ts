import { ErrorSchema } from '../schemas.js'
import type { z } from '../zod.js'

/** OpenAPI response descriptions the routes share. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})
export const errorResponse = (description: string) => jsonResponse(ErrorSchema, description)
export const notModifiedResponse = {
  description: 'Not modified since the ETag given in If-None-Match (same block)',
}

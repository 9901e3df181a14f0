import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi'
import { z } from 'zod'

/** zod with `.openapi()` metadata (zod-to-openapi): the API's schemas describe themselves in /openapi.json. */
extendZodWithOpenApi(z)

export { z }

import type { ErrorBody } from '@feecast/client'
import { type Answer, json } from './core/answer.js'
import type { Context } from './core/context.js'

/**
 * Every error the API answers is JSON of one shape (ErrorSchema): a status, a stable machine code,
 * a message for people, and for a bad parameter its name and the accepted values.
 */
export type ApiErrorCode =
  | 'bad_parameter'
  | 'unknown_chain'
  | 'no_prediction'
  | 'stale_data'
  | 'not_ready'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'rate_limited'
  | 'unauthorized'
  | 'bad_request'
  | 'request_header_fields_too_large'
  | 'request_timeout'
  | 'internal_error'

export type ErrorDetails = { parameter?: string; accepted?: ReadonlyArray<number | string> }

export function errorBody(
  status: number,
  code: ApiErrorCode,
  message: string,
  details: ErrorDetails = {},
  requestId?: string,
): ErrorBody {
  return {
    error: {
      status,
      code,
      message,
      ...(details.parameter === undefined ? {} : { parameter: details.parameter }),
      ...(details.accepted === undefined ? {} : { accepted: [...details.accepted] }),
    },
    ...(requestId === undefined ? {} : { requestId }),
  }
}

/** An error answer: JSON with the request's id, never cached. `headers` is a flat [name, value, ...] list. */
export function errorAnswer(
  c: Context,
  status: number,
  code: ApiErrorCode,
  message: string,
  details: ErrorDetails = {},
  headers: readonly string[] = [],
): Answer {
  return json(status, errorBody(status, code, message, details, c.requestId), [
    'Cache-Control',
    'no-store',
    ...headers,
  ])
}

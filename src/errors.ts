/**
 * Base of feecast's errors, in viem's style: a short message plus details a person can act on. It lives
 * in @feecast/client, so the client's errors and the service's share one base class.
 */
export { FeecastError } from '@feecast/client'

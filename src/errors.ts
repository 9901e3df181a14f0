/**
 * Base of feecast's errors, in viem's style: a short message plus details a person can act on. It lives
 * in @feecast/client, so the client's errors and the service's share one base class.
 */
import { FeecastError } from '@feecast/client'

export { FeecastError }

/**
 * The service cannot start because of a setting (a port in use, a host that does not resolve, a state
 * directory it cannot write): one line naming the setting, and exit code 2.
 */
export class StartupError extends FeecastError {
  override name = 'StartupError'
  readonly setting: string
  constructor(setting: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${setting} ${problem}`, options)
    this.setting = setting
  }
}

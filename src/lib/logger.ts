import { type Logger, pino } from 'pino'

export type { Logger }

/**
 * Structured JSON logs. RPC URLs must be passed through redactUrl before they reach a logger; the
 * redact paths are a second line of defence for fields that commonly hold them.
 */
export function createLogger(level: string = 'info', bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'feecast', ...bindings },
    redact: {
      paths: [
        'url',
        'rpcUrl',
        'rpcUrls',
        '*.url',
        '*.rpcUrl',
        '*.rpcUrls',
        'redisUrl',
        '*.redisUrl',
        'config.chains',
      ],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  })
}

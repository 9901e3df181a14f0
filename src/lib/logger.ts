import { type DestinationStream, type Logger, pino } from 'pino'
import { noRedaction, type Redactor } from './redact.js'

export type { Logger }

export type CreateLoggerOptions = {
  /**
   * Applied to every serialized line before it is written: hides the configured secrets (RPC keys,
   * Redis passwords, API keys) wherever they appear, including inside messages quoted from upstream.
   */
  redact?: Redactor | undefined
  /** Where lines go (default stdout). */
  destination?: DestinationStream | undefined
}

/** Loggers made by createLogger: childLogger rebuilds children from these to avoid duplicate keys. */
const roots = new WeakSet<object>()

/**
 * Structured JSON logs. Every line passes through the configured redactor; the redact paths are a
 * second line of defence for fields that commonly hold URLs.
 */
export function createLogger(
  level: string = 'info',
  bindings: Record<string, unknown> = {},
  { redact = noRedaction, destination }: CreateLoggerOptions = {},
): Logger {
  const options = {
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
    ...(redact.secrets.length > 0 ? { hooks: { streamWrite: (line: string) => redact(line) } } : {}),
    timestamp: pino.stdTimeFunctions.isoTime,
  }
  const logger = destination === undefined ? pino(options) : pino(options, destination)
  roots.add(logger)
  return logger
}

/**
 * `parent.child(bindings)`, except that a key the parent already binds is replaced rather than written
 * twice (pino appends a child's bindings to its parent's, so `component` would appear twice in a line).
 */
export function childLogger(parent: Logger, bindings: Record<string, unknown>): Logger {
  const bound = parent.bindings()
  if (!Object.keys(bindings).some((k) => k in bound)) return parent.child(bindings)
  let root: object | null = parent
  while (root !== null && !roots.has(root)) root = Object.getPrototypeOf(root)
  if (root === null) {
    // Not one of ours: keep the parent's value rather than write the key twice.
    const fresh = Object.fromEntries(Object.entries(bindings).filter(([k]) => !(k in bound)))
    return Object.keys(fresh).length > 0 ? parent.child(fresh) : parent
  }
  const rootLogger = root as Logger
  const rootBound = rootLogger.bindings()
  const merged: Record<string, unknown> = { ...bound, ...bindings }
  for (const key of Object.keys(rootBound)) if (merged[key] === rootBound[key]) delete merged[key]
  return rootLogger.child(merged)
}

/**
 * Writes out what the logger still holds, now. In a worker thread, pino's own flush at exit does not run: the
 * last lines before `process.exit` (a worker's "stopped") were lost without this.
 */
export function flushLogsSync(logger: Logger): void {
  const stream = (logger as unknown as Record<symbol, { flushSync?: () => void } | undefined>)[
    pino.symbols.streamSym
  ]
  try {
    stream?.flushSync?.()
  } catch {
    // Not open yet, or already closed: nothing can be written now.
  }
}

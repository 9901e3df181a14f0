/** Time windows of the SLO rules, in Prometheus duration syntax. */
export const sloWindows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'] as const
export type Window = (typeof sloWindows)[number]

export const windowMinutes: Record<Window, number> = {
  '5m': 5,
  '30m': 30,
  '1h': 60,
  '2h': 120,
  '6h': 360,
  '1d': 1440,
  '3d': 4320,
  '30d': 43_200,
}

/** The error-ratio windows every SLO records (Sloth's set), besides its period. */
export const recordedWindows: readonly Window[] = ['5m', '30m', '1h', '2h', '6h', '1d', '3d']

/**
 * One multi-window burn-rate condition: the error ratio over both the long and the short window is above
 * `factor` times the error budget. The long window says the budget is really burning; the short one
 * makes the alert stop soon after the burn stops.
 */
export type BurnCondition = { factor: number; long: Window; short: Window }

export type AlertPolicy = { page: BurnCondition[]; ticket: BurnCondition[] }

/**
 * The Google SRE workbook's policy for a 30-day budget: a page when 2% of it goes in an hour (14.4x) or
 * 5% in six hours (6x); a ticket when 10% goes in a day (3x) or the whole period's pace is exceeded over
 * three days (1x).
 */
export const standardAlertPolicy: AlertPolicy = {
  page: [
    { factor: 14.4, long: '1h', short: '5m' },
    { factor: 6, long: '6h', short: '30m' },
  ],
  ticket: [
    { factor: 3, long: '1d', short: '2h' },
    { factor: 1, long: '3d', short: '6h' },
  ],
}

export const windowsOfPolicy = (policy: AlertPolicy): Window[] =>
  [...policy.page, ...policy.ticket].flatMap((c) => [c.long, c.short])

/** Windows in ascending order, without duplicates. */
export const sortedWindows = (ws: Iterable<Window>): Window[] =>
  [...new Set(ws)].sort((a, b) => windowMinutes[a] - windowMinutes[b])

/** A number as PromQL and YAML show it: at most 12 significant digits, so 1 - 0.9 prints as 0.1. */
export const num = (x: number): string => String(Number(x.toPrecision(12)))

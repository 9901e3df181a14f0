import { at } from '../lib/at.js'
import { SloSpecError } from './errors.js'
import type { SlothSlo } from './expand.js'
import type { InputSeries } from './types.js'
import { num, type Window, windowMinutes } from './windows.js'

/**
 * The oracle of the promtool tests: a small model of an SLO's definition, working on the raw events of a
 * scenario (not on PromQL), that says which alerts must fire and which values must be recorded. promtool
 * then checks that the generated rules agree with it. An outcome within 10 % of a threshold is 'close':
 * a scenario that meets one is rejected, so every generated expectation holds with a margin.
 */

export type Segment = {
  minutes: number
  /** Error ratio of the SLI during the segment (for a time share: 1 = data stuck, 0 = fresh). */
  error: number
  /** Events per minute (event-based SLIs); default 60. */
  events?: number
}

/** A scenario's history as the oracle reads it: events and bad events per minute, or a 0/1 indicator per minute. */
export type Model =
  | { kind: 'events'; events: number[]; bad: number[] }
  | { kind: 'samples'; indicator: number[] }

export type Truth = boolean | 'close'

/** Events per minute of a segment that names none. */
export const defaultEvents = 60
const margin = 0.1

const and = (a: Truth, b: Truth): Truth =>
  a === false || b === false ? false : a === 'close' || b === 'close' ? 'close' : true
const or = (a: Truth, b: Truth): Truth =>
  a === true || b === true ? true : a === 'close' || b === 'close' ? 'close' : false
const above = (value: number, threshold: number): Truth =>
  Math.abs(value - threshold) <= margin * threshold ? 'close' : value > threshold

/** The oracle's model of a scenario's history, and the raw input series the SLO's fixture makes of it. */
export function buildModel(s: SlothSlo, segments: Segment[]): { model: Model; series: InputSeries[] } {
  const slo = s.parent
  if (slo.kind === 'time-share') {
    const stuck = [0]
    for (const seg of segments) for (let i = 0; i < seg.minutes; i++) stuck.push(seg.error)
    return { model: { kind: 'samples', indicator: slo.modelIndicator(stuck) }, series: slo.fixture(stuck) }
  }
  const events = [0]
  const bad = [0]
  for (const seg of segments) {
    for (let i = 0; i < seg.minutes; i++) {
      const n = seg.events ?? defaultEvents
      events.push(n)
      bad.push(Number(num(n * s.badShare(seg.error))))
    }
  }
  const series = slo.kind === 'ratio' ? slo.fixture(s.slo, events, bad) : slo.fixture(events, bad)
  return { model: { kind: 'events', events, bad }, series }
}

/** The model's error ratio over window `w` at minute `t`. */
export function windowError(s: SlothSlo, model: Model, t: number, w: Window): number {
  const from = Math.max(0, t - windowMinutes[w])
  if (model.kind === 'samples') {
    // Range selectors of Prometheus 2 include both ends: samples at minutes from..t.
    const samples = model.indicator.slice(from, t + 1)
    return samples.reduce((a, b) => a + b, 0) / samples.length
  }
  let bad = 0
  let total = 0
  for (let m = from + 1; m <= t; m++) {
    bad += at(model.bad, m)
    total += at(model.events, m)
  }
  return s.windowError(bad, total)
}

/** Events counted in window `w` at minute `t` (the guard of low-traffic objectives). */
export function eventsIn(model: Model, t: number, w: Window): number {
  if (model.kind !== 'events') throw new SloSpecError('an event guard on a time-share SLO')
  let total = 0
  for (let m = Math.max(0, t - windowMinutes[w]) + 1; m <= t; m++) total += at(model.events, m)
  return total
}

/** Whether the page or ticket alert must be firing at minute `t` ('close': too near a threshold to say). */
export function firing(s: SlothSlo, model: Model, t: number, severity: 'page' | 'ticket'): Truth {
  let result: Truth = false
  for (const c of severity === 'page' ? s.policy.page : s.policy.ticket) {
    const threshold = c.factor * s.errorBudget
    let holds = and(
      above(windowError(s, model, t, c.short), threshold),
      above(windowError(s, model, t, c.long), threshold),
    )
    if (s.guard) holds = and(holds, above(eventsIn(model, t, c.short), s.guard.minEvents))
    result = or(result, holds)
  }
  return result
}

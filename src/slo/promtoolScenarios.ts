import type { SlothSlo } from './expand.js'
import type { Segment } from './promtoolOracle.js'
import { num } from './windows.js'

/**
 * The catalogue of promtool scenarios: for each objective, histories of its SLI that must (or must not)
 * page or ticket. Each says what it is for, and the render step checks that against the oracle, so a
 * scenario cannot silently miss its point when the spec changes.
 */

export type Scenario = {
  name: string
  segments: Segment[]
  /** What the scenario is for: checked against the model so a scenario cannot silently miss its point. */
  expect: { page: boolean; ticket: boolean }
  /** Also check every recorded value at the end (steady histories, where the values are exact). */
  values?: boolean
  /** Also check at these minutes that nothing fires. */
  quietAt?: number[]
}

/** A time share (data freshness): always fresh, a short history, an old stall, a stall now, a recovery. */
function timeShareScenarios(): Scenario[] {
  return [
    {
      name: 'always fresh',
      segments: [{ minutes: 60, error: 0 }],
      expect: { page: false, ticket: false },
      values: true,
    },
    {
      name: 'short history: two samples',
      segments: [{ minutes: 1, error: 0 }],
      expect: { page: false, ticket: false },
      values: true,
      quietAt: [0],
    },
    {
      name: 'a 4-minute stall, 100 minutes ago: ticket, no page',
      segments: [
        { minutes: 30, error: 0 },
        { minutes: 4, error: 1 },
        { minutes: 96, error: 0 },
      ],
      expect: { page: false, ticket: true },
      values: true,
    },
    {
      name: 'data stuck for 30 minutes: page',
      segments: [
        { minutes: 60, error: 0 },
        { minutes: 30, error: 1 },
      ],
      expect: { page: true, ticket: true },
    },
    {
      name: 'stuck for 20 minutes, fresh again for 40: the page resets, the ticket stays',
      segments: [
        { minutes: 40, error: 0 },
        { minutes: 20, error: 1 },
        { minutes: 40, error: 0 },
      ],
      expect: { page: false, ticket: true },
    },
  ]
}

/**
 * An event SLI: no errors, no traffic, a short history, errors at half and twice the budget, a burn that
 * pages and one that stops paging; and, where the objective has a traffic guard, too few events to judge.
 * Longer than 60 lines because it is a catalogue: one entry per scenario, read as a list.
 */
function eventScenarios(s: SlothSlo): Scenario[] {
  const b = s.errorBudget
  const list: Scenario[] = []
  const hasPage = s.policy.page.length > 0
  const ePage = Math.min(20 * b, (14.4 * b + s.maxErrorRatio) / 2)
  list.push(
    {
      name: 'no errors',
      segments: [{ minutes: 60, error: 0 }],
      expect: { page: false, ticket: false },
      values: true,
    },
    {
      name: 'zero traffic: ratios are 0, not NaN',
      segments: [{ minutes: 60, error: 0, events: 0 }],
      expect: { page: false, ticket: false },
      values: true,
    },
    {
      name: 'short history: two samples',
      segments: [{ minutes: 1, error: 0 }],
      expect: { page: false, ticket: false },
      values: true,
      quietAt: [0],
    },
    {
      name: 'errors at half the budget',
      segments: [{ minutes: 60, error: 0.5 * b }],
      expect: { page: false, ticket: false },
      values: true,
    },
    {
      name: 'errors at twice the budget: ticket, no page',
      segments: [{ minutes: 60, error: 2 * b }],
      expect: { page: false, ticket: true },
    },
  )
  if (hasPage) {
    list.push(
      {
        name: `errors at ${num(ePage / b)}x the budget for 90 minutes: page`,
        segments: [{ minutes: 90, error: ePage }],
        expect: { page: true, ticket: true },
      },
      {
        name: 'a burst of errors for an hour, then 40 clean minutes: the page resets, the ticket stays',
        segments: [
          { minutes: 60, error: ePage },
          { minutes: 40, error: 0 },
        ],
        expect: { page: false, ticket: true },
      },
    )
  }
  if (s.guard) {
    list.push({
      name: `too few events to judge (1 a minute, under ${s.guard.minEvents} per short window): no alert`,
      segments: [{ minutes: 25, error: hasPage ? ePage : 2 * b, events: 1 }],
      expect: { page: false, ticket: false },
    })
  }
  return list
}

/** The scenarios of one objective. */
export function scenariosFor(s: SlothSlo): Scenario[] {
  return s.parent.kind === 'time-share' ? timeShareScenarios() : eventScenarios(s)
}

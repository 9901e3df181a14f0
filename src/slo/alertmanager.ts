import { yamlDocument } from './rules.js'
import type { SloSpec } from './types.js'

export type AlertmanagerOptions = {
  /** Webhook of the pager (PagerDuty, Opsgenie, ... behind a webhook adapter). */
  pagerUrl: string
  /** Webhook of the ticket queue. */
  ticketUrl: string
  /** How long a new group of pages waits for more alerts before it is sent. */
  groupWait?: string
  /**
   * How long a new group of tickets waits. Longer than a page's: a ticket is not urgent, and an outage
   * that burns both budgets at once (a fresh Prometheus, whose long windows hold only minutes) must
   * let its page arrive and inhibit the ticket before the ticket is sent.
   */
  ticketGroupWait?: string
  groupInterval?: string
  repeatInterval?: string
}

/** Receiver names, as `amtool config routes test` prints them. */
export const pagerReceiver = 'pager'
export const ticketReceiver = 'tickets'

/** The committed defaults: reserved `.invalid` hosts, to be replaced by the deployment's webhooks. */
export const defaultAlertmanagerOptions: AlertmanagerOptions = {
  pagerUrl: 'http://pager.invalid/feecast',
  ticketUrl: 'http://tickets.invalid/feecast',
}

/** Labels an inhibition compares: a page only silences tickets of the same SLO (and chain). */
export const inhibitionEqual = ['sloth_id', 'chain_id']

/**
 * Alertmanager's configuration: pages to the pager, tickets to the ticket queue, and a page for an SLO
 * inhibits the ticket of the same SLO and chain (the page already says more). An alert without
 * `sloth_id` and `chain_id` (the absent-metric tickets) is silenced by a page without them too (the
 * targets-missing page explains a missing input).
 */
export function alertmanagerConfig(
  _spec: SloSpec,
  options: AlertmanagerOptions = defaultAlertmanagerOptions,
): unknown {
  const webhook = (url: string) => ({ url, send_resolved: true, max_alerts: 0 })
  return {
    route: {
      receiver: ticketReceiver,
      group_by: ['alertname', 'sloth_id', 'chain_id'],
      group_wait: options.groupWait ?? '30s',
      group_interval: options.groupInterval ?? '5m',
      repeat_interval: options.repeatInterval ?? '12h',
      routes: [
        {
          receiver: pagerReceiver,
          matchers: [`severity="page"`],
          repeat_interval: options.repeatInterval ?? '1h',
        },
        {
          receiver: ticketReceiver,
          matchers: [`severity="ticket"`],
          group_wait: options.ticketGroupWait ?? '5m',
        },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: [`severity="page"`],
        target_matchers: [`severity="ticket"`],
        equal: inhibitionEqual,
      },
    ],
    receivers: [
      { name: pagerReceiver, webhook_configs: [webhook(options.pagerUrl)] },
      { name: ticketReceiver, webhook_configs: [webhook(options.ticketUrl)] },
    ],
  }
}

export const alertmanagerYaml = (spec: SloSpec, options?: AlertmanagerOptions): string =>
  yamlDocument(
    'Alertmanager: pages and tickets of the feecast SLOs. Replace the .invalid webhooks with your pager and ticket queue.',
    alertmanagerConfig(spec, options),
  )

import { yamlDocument } from './rules.js'
import type { SloSpec } from './types.js'

export type PrometheusOptions = {
  scrapeInterval: string
  evaluationInterval: string
  /** Rule files, relative to prometheus.yml. */
  ruleFiles: string[]
  /** Alertmanager addresses (host:port). */
  alertmanagers: string[]
  /**
   * The feecast targets: fixed host:port pairs, or DNS names whose A records are the replicas (Docker
   * Compose and Kubernetes headless services answer one record per replica, so scaling needs no edit).
   */
  targets: { static: string[] } | { dns: string[]; port: number }
  /** Prometheus' own address, scraped as job "prometheus". */
  selfAddress?: string
}

/** The committed configuration: the docker-compose.yml services. */
export const composePrometheusOptions: PrometheusOptions = {
  scrapeInterval: '15s',
  evaluationInterval: '30s',
  ruleFiles: ['rules/*.yml'],
  alertmanagers: ['alertmanager:9093'],
  targets: { dns: ['feecast-api', 'feecast-sampler'], port: 8080 },
}

export function prometheusConfig(
  spec: SloSpec,
  options: PrometheusOptions = composePrometheusOptions,
): unknown {
  const feecast =
    'static' in options.targets
      ? { static_configs: [{ targets: options.targets.static }] }
      : {
          dns_sd_configs: [
            { names: options.targets.dns, type: 'A', port: options.targets.port, refresh_interval: '30s' },
          ],
          // The service name (feecast-api, feecast-sampler) as a label: which role a series comes from.
          relabel_configs: [{ source_labels: ['__meta_dns_name'], target_label: 'service' }],
        }
  return {
    global: {
      scrape_interval: options.scrapeInterval,
      evaluation_interval: options.evaluationInterval,
      external_labels: { monitor: spec.service },
    },
    rule_files: options.ruleFiles,
    alerting: { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] },
    scrape_configs: [
      { job_name: spec.job, metrics_path: '/metrics', ...feecast },
      { job_name: 'prometheus', static_configs: [{ targets: [options.selfAddress ?? 'localhost:9090'] }] },
      { job_name: 'alertmanager', static_configs: [{ targets: options.alertmanagers }] },
    ],
  }
}

export const prometheusYaml = (spec: SloSpec, options?: PrometheusOptions): string =>
  yamlDocument('Prometheus: scrapes feecast and evaluates the SLO rules.', prometheusConfig(spec, options))

import { alertmanagerYaml } from './alertmanager.js'
import { generateDashboards } from './dashboards.js'
import { prometheusYaml } from './prometheusConfig.js'
import { commonPromtoolTests, conditionPromtoolTests, sloPromtoolTests } from './promtoolRender.js'
import { commonRuleGroups, conditionRuleGroups, rulesFile, sloRuleGroups, yamlDocument } from './rules.js'
import { runbooksMarkdown } from './runbooks.js'
import type { SloSpec } from './types.js'

export type GeneratedFile = { path: string; content: string }

/** Directories whose files are all generated: a file there that the generator no longer makes is stale. */
export const generatedDirectories = [
  'prometheus/rules',
  'prometheus/tests',
  'dashboards',
  'grafana/provisioning',
]

export const ruleFilePath = (name: string) => `prometheus/rules/${name}.yml`
export const testFilePath = (name: string) => `prometheus/tests/${name}.test.yml`

/** Grafana provisioning: the Prometheus data source and the dashboards folder (docker-compose.yml mounts). */
function grafanaProvisioning(spec: SloSpec): GeneratedFile[] {
  return [
    {
      path: 'grafana/provisioning/datasources/prometheus.yml',
      content: yamlDocument('Grafana data source: the compose Prometheus.', {
        apiVersion: 1,
        datasources: [
          {
            name: 'Prometheus',
            type: 'prometheus',
            access: 'proxy',
            url: 'http://prometheus:9090',
            isDefault: true,
            jsonData: { timeInterval: '15s' },
          },
        ],
      }),
    },
    {
      path: 'grafana/provisioning/dashboards/feecast.yml',
      content: yamlDocument('Grafana dashboards: the generated JSON under dashboards/.', {
        apiVersion: 1,
        providers: [
          {
            name: spec.service,
            folder: spec.service,
            type: 'file',
            disableDeletion: true,
            allowUiUpdates: false,
            options: { path: '/var/lib/grafana/dashboards', foldersFromFilesStructure: false },
          },
        ],
      }),
    },
  ]
}

/** Every generated file, with its path relative to the repository root. Pure: no I/O. */
export function generateFiles(spec: SloSpec): GeneratedFile[] {
  const files: GeneratedFile[] = []
  const common = `${spec.service}-common`
  for (const slo of spec.slos) {
    files.push({
      path: ruleFilePath(slo.name),
      content: rulesFile(`SLO ${slo.name}: ${slo.description}`, sloRuleGroups(spec, slo)),
    })
    files.push({
      path: testFilePath(slo.name),
      content: yamlDocument(
        `promtool unit tests of the ${slo.name} rules (run: promtool test rules prometheus/tests/*.yml).`,
        sloPromtoolTests(spec, slo, `../rules/${slo.name}.yml`),
      ),
    })
  }
  files.push({
    path: ruleFilePath(common),
    content: rulesFile('Rules of no single SLO: scrape targets.', commonRuleGroups(spec)),
  })
  files.push({
    path: testFilePath(common),
    content: yamlDocument(
      `promtool unit tests of ${common}.`,
      commonPromtoolTests(spec, `../rules/${common}.yml`),
    ),
  })
  const defences = `${spec.service}-defences`
  files.push({
    path: ruleFilePath(defences),
    content: rulesFile(
      "Alerts on feecast's defences: refused blocks, shed connections, oversized RPC bodies, the embedded Redis, API keys.",
      conditionRuleGroups(spec),
    ),
  })
  files.push({
    path: testFilePath(defences),
    content: yamlDocument(
      `promtool unit tests of ${defences}.`,
      conditionPromtoolTests(spec, `../rules/${defences}.yml`),
    ),
  })
  files.push({ path: 'prometheus/prometheus.yml', content: prometheusYaml(spec) })
  files.push({ path: 'prometheus/alertmanager.yml', content: alertmanagerYaml(spec) })
  files.push({ path: 'prometheus/RUNBOOKS.md', content: runbooksMarkdown(spec) })
  for (const d of generateDashboards(spec)) {
    files.push({ path: `dashboards/${d.uid}.json`, content: `${JSON.stringify(d.json, null, 2)}\n` })
  }
  files.push(...grafanaProvisioning(spec))
  return files
}

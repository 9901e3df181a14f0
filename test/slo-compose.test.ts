import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { repoRoot } from '../src/slo/writeGenerated.js'
import { requireTool, run } from './slo-support.js'

/**
 * docker-compose.yml against Debian's docker-compose (package docker-compose): it parses and resolves
 * without a Docker engine (none runs here), and wires the stack the way the SLO files expect.
 */

type Service = {
  image?: string
  build?: { context: string; target?: string }
  command?: string[]
  environment?: Record<string, string>
  volumes?: string[]
  ports?: Array<{ published: number; target: number }>
}

let compose: string
let resolved: { services: Record<string, Service> }

beforeAll(async () => {
  compose = await requireTool('docker-compose')
  const result = await run(compose, ['-f', 'docker-compose.yml', 'config'], { cwd: repoRoot })
  if (result.code !== 0) throw new Error(`docker-compose config failed:\n${result.stderr}`)
  resolved = parse(result.stdout) as typeof resolved
})

describe('docker-compose.yml', () => {
  it('is accepted by `docker-compose config -q`', async () => {
    const result = await run(compose, ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: repoRoot })
    expect(result.code, result.stderr).toBe(0)
  })

  it('runs feecast, Redis, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(resolved.services).sort()).toEqual(
      ['alertmanager', 'devchain', 'feecast-api', 'feecast-sampler', 'grafana', 'prometheus', 'redis'].sort(),
    )
  })

  it('runs the sampler and the API as two roles of one image built from the Dockerfile', () => {
    const { 'feecast-sampler': sampler, 'feecast-api': api } = resolved.services
    expect(sampler?.environment?.FEECAST_ROLE).toBe('sampler')
    expect(api?.environment?.FEECAST_ROLE).toBe('api')
    expect(sampler?.image).toBe(api?.image)
    expect(sampler?.build?.target).toBe('runtime')
    for (const s of [sampler, api]) {
      expect(s?.environment?.REDIS_URL).toBe('redis://redis:6379')
      expect(s?.environment?.EMBEDDED_REDIS).toBe('false')
    }
  })

  it('gives Prometheus the generated rules and scrapes the services by their compose names', async () => {
    const prometheus = resolved.services.prometheus!
    expect(prometheus.volumes?.some((v) => v.endsWith('/prometheus:/etc/prometheus:ro'))).toBe(true)
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml')
    const config = parse(await readFile(join(repoRoot, 'prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[]
      scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[] }> }>
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> }
    }
    const names =
      config.scrape_configs.find((c) => c.job_name === 'feecast')?.dns_sd_configs?.[0]?.names ?? []
    for (const name of names) expect(Object.keys(resolved.services)).toContain(name)
    expect(names.sort()).toEqual(['feecast-api', 'feecast-sampler'])
    const [am] = config.alerting.alertmanagers[0]?.static_configs[0]?.targets ?? []
    expect(Object.keys(resolved.services)).toContain(am?.split(':')[0])
  })

  it('provisions Grafana with the data source and the generated dashboards', async () => {
    const grafana = resolved.services.grafana!
    expect(
      grafana.volumes?.some((v) => v.endsWith('/grafana/provisioning:/etc/grafana/provisioning:ro')),
    ).toBe(true)
    expect(grafana.volumes?.some((v) => v.endsWith('/dashboards:/var/lib/grafana/dashboards:ro'))).toBe(true)
    const provider = parse(
      await readFile(join(repoRoot, 'grafana/provisioning/dashboards/feecast.yml'), 'utf8'),
    ) as {
      providers: Array<{ options: { path: string } }>
    }
    expect(provider.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards')
    const datasource = parse(
      await readFile(join(repoRoot, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as {
      datasources: Array<{ type: string; url: string }>
    }
    expect(datasource.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' })
  })

  it('builds a multi-stage image whose entry point is the feecast CLI', async () => {
    const dockerfile = await readFile(join(repoRoot, 'Dockerfile'), 'utf8')
    const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1])
    expect(stages).toEqual(['build', 'deps', 'runtime'])
    expect(dockerfile).toMatch(/COPY --from=deps/)
    expect(dockerfile).toMatch(/ENTRYPOINT \[.*"bin\/feecast\.mjs"\]/)
    // The runtime stage ships the build, not the sources (test/production-layout.test.ts runs that layout).
    const runtime = dockerfile.slice(dockerfile.search(/^FROM\s+\S+\s+AS\s+runtime/im))
    expect(runtime).toMatch(/COPY --from=build \/app\/dist/)
    expect(runtime).not.toMatch(/^COPY\s+(src|test|bench)\b/m)
    expect(dockerfile).not.toMatch(/npm install/)
  })
})

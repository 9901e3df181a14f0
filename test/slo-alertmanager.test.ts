import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../src/lib/freePort.js'
import { alertmanagerYaml, pagerReceiver, ticketReceiver } from '../src/slo/alertmanager.js'
import { feecastSloSpec as spec } from '../src/slo/spec.js'
import { repoRoot } from '../src/slo/writeGenerated.js'
import { pollUntil, requireTool, run, tempDir } from './slo-support.js'

/**
 * The generated Alertmanager configuration against the real amtool and a real Alertmanager (Debian
 * package prometheus-alertmanager): syntax, routing, and inhibition of a ticket by the page of the
 * same SLO and chain, observed at a webhook receiver this test runs.
 */

const committed = join(repoRoot, 'prometheus/alertmanager.yml')
let amtool: string
let scratch: { dir: string; remove: () => Promise<void> }

beforeAll(async () => {
  amtool = await requireTool('amtool')
  scratch = await tempDir('alertmanager')
})
afterAll(async () => {
  await scratch?.remove()
})

describe('amtool', () => {
  it('check-config accepts the committed alertmanager.yml', async () => {
    const result = await run(amtool, ['check-config', committed])
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toContain('SUCCESS')
  })

  const route = (labels: string[], receiver: string) =>
    run(amtool, [
      'config',
      'routes',
      'test',
      `--config.file=${committed}`,
      `--verify.receivers=${receiver}`,
      ...labels,
    ])

  it('routes a defence page (the API at its connection cap) to the pager', async () => {
    const result = await route(
      ['alertname=FeecastConnectionCapReached', 'severity=page', 'sloth_service=feecast', 'instance=a:8080'],
      pagerReceiver,
    )
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout.trim()).toBe(pagerReceiver)
  })

  it('routes a page to the pager', async () => {
    const result = await route(
      [
        'alertname=FeecastSamplerFreshnessBudgetBurn',
        'severity=page',
        'sloth_id=feecast-sampler-freshness',
        'chain_id=1',
      ],
      pagerReceiver,
    )
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout.trim()).toBe(pagerReceiver)
  })

  it('routes a ticket, and the absent-metric ticket, to the ticket queue', async () => {
    for (const labels of [
      [
        'alertname=FeecastSamplerFreshnessBudgetBurn',
        'severity=ticket',
        'sloth_id=feecast-sampler-freshness',
        'chain_id=1',
      ],
      ['alertname=FeecastSliInputAbsent', 'severity=ticket', 'sloth_slo=predict-availability'],
      ['alertname=FeecastBlocksRejected', 'severity=ticket', 'sloth_service=feecast', 'chain_id=1'],
    ]) {
      const result = await route(labels, ticketReceiver)
      expect(result.code, result.stdout + result.stderr).toBe(0)
      expect(result.stdout.trim()).toBe(ticketReceiver)
    }
  })
})

type Received = { receiver: string; alerts: Array<{ labels: Record<string, string>; status: string }> }

describe('a real Alertmanager', () => {
  let alertmanager: ChildProcess | undefined
  let webhook: Server
  let base = ''
  let output = ''
  const received: Received[] = []

  beforeAll(async () => {
    const binary = await requireTool('prometheus-alertmanager')
    webhook = createServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => {
        body += d.toString()
      })
      req.on('end', () => {
        received.push({ ...(JSON.parse(body) as Received), receiver: req.url ?? '' })
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve))
    const hook = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`
    const config = join(scratch.dir, 'alertmanager.yml')
    await writeFile(
      config,
      alertmanagerYaml(spec, {
        pagerUrl: `${hook}/pager`,
        ticketUrl: `${hook}/tickets`,
        groupWait: '1s',
        ticketGroupWait: '1s',
        groupInterval: '1s',
        repeatInterval: '1h',
      }),
    )
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    alertmanager = spawn(
      binary,
      [
        `--config.file=${config}`,
        `--storage.path=${join(scratch.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    alertmanager.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    alertmanager.stderr?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    await pollUntil(
      'alertmanager ready',
      async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`)
    })
  })

  afterAll(async () => {
    if (alertmanager && alertmanager.exitCode === null) {
      const exited = new Promise((r) => alertmanager?.once('exit', r))
      alertmanager.kill('SIGTERM')
      await exited
    }
    await new Promise((r) => webhook?.close(r))
  })

  it('inhibits the ticket of an SLO and chain that also pages, and delivers the rest', {
    timeout: 60_000,
  }, async () => {
    const freshness = {
      sloth_id: 'feecast-sampler-freshness',
      sloth_service: 'feecast',
      sloth_slo: 'sampler-freshness',
    }
    const alert = (labels: Record<string, string>) => ({
      labels: { alertname: 'FeecastSamplerFreshnessBudgetBurn', ...labels },
      annotations: { summary: 'test' },
    })
    const alerts = [
      alert({ ...freshness, chain_id: '1', severity: 'page', sloth_severity: 'page' }),
      alert({ ...freshness, chain_id: '1', severity: 'ticket', sloth_severity: 'ticket' }),
      // Same SLO, another chain: not inhibited.
      alert({ ...freshness, chain_id: '10', severity: 'ticket', sloth_severity: 'ticket' }),
      // Another SLO: not inhibited.
      {
        labels: {
          alertname: 'FeecastPredictAvailabilityBudgetBurn',
          sloth_id: 'feecast-predict-availability',
          sloth_service: 'feecast',
          sloth_slo: 'predict-availability',
          severity: 'ticket',
          sloth_severity: 'ticket',
        },
        annotations: { summary: 'test' },
      },
    ]
    const posted = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    })
    expect(posted.status).toBe(200)

    type Status = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }
    const states = await pollUntil('all four alerts in Alertmanager', async () => {
      const list = (await (await fetch(`${base}/api/v2/alerts`)).json()) as Status[]
      return list.length === 4 && list.every((a) => a.status.state !== 'unprocessed') ? list : undefined
    })
    const find = (sloth: string, chain: string | undefined, severity: string) =>
      states.find(
        (a) => a.labels.sloth_id === sloth && a.labels.chain_id === chain && a.labels.severity === severity,
      )!
    const inhibited = find('feecast-sampler-freshness', '1', 'ticket')
    expect(inhibited.status.state).toBe('suppressed')
    expect(inhibited.status.inhibitedBy.length).toBe(1)
    expect(find('feecast-sampler-freshness', '1', 'page').status.state).toBe('active')
    expect(find('feecast-sampler-freshness', '10', 'ticket').status.state).toBe('active')
    expect(find('feecast-predict-availability', undefined, 'ticket').status.state).toBe('active')

    const delivered = () =>
      received.flatMap((r) =>
        r.alerts.map(
          (a) => `${r.receiver} ${a.labels.sloth_slo} ${a.labels.chain_id ?? '-'} ${a.labels.severity}`,
        ),
      )
    await pollUntil('the page and both other tickets at the webhook', async () => {
      const got = delivered()
      return got.includes('/pager sampler-freshness 1 page') &&
        got.includes('/tickets sampler-freshness 10 ticket') &&
        got.includes('/tickets predict-availability - ticket')
        ? got
        : undefined
    })
    // Several group intervals later, the inhibited ticket has still not been sent anywhere.
    await new Promise((r) => setTimeout(r, 3_000))
    expect(delivered()).not.toContain('/tickets sampler-freshness 1 ticket')
    expect(delivered().filter((d) => d.startsWith('/pager'))).toEqual(['/pager sampler-freshness 1 page'])
  })
})

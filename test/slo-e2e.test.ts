import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { devchainId } from '../src/chains/chains.js'
import { freePort } from '../src/lib/freePort.js'
import { alertmanagerYaml } from '../src/slo/alertmanager.js'
import { dashboardQueries, resolveGrafanaVariables } from '../src/slo/dashboards.js'
import { prometheusYaml } from '../src/slo/prometheusConfig.js'
import { feecastSloSpec as spec } from '../src/slo/spec.js'
import { repoRoot } from '../src/slo/writeGenerated.js'
import { pollUntil, requireTool, tempDir } from './slo-support.js'

/**
 * End to end, every part real and on this machine: a devchain (`feecast devchain`), the service as
 * `npm start` runs it (`feecast start`, pointed at that devchain, with its private Redis), a real
 * Prometheus scraping it every second with the committed rules, a real Alertmanager with the generated
 * routes, and a webhook receiver run by this test. Traffic is driven to the API; every query of every
 * dashboard panel must then return data; stopping the chain must page through Alertmanager for
 * sampler-freshness (and the ticket of the same SLO and chain must stay inhibited).
 *
 * The service must serve the API with /metrics on PORT (createApiServer) and feed the metrics of
 * src/metrics/ from the sampler, the predictor and the calibration.
 */

const cli = join(repoRoot, 'bin/feecast.mjs')
const pagedAlert = 'FeecastSamplerFreshnessBudgetBurn'
/**
 * Prometheus here holds a minute of history, so every window of the freshness SLO holds the same few
 * samples and the ticket's 1x threshold is crossed seconds before the page's 14.4x (in production the
 * ticket's 3-day window holds it back for 20 minutes). The ticket route waits this long, as the
 * committed routes wait longer for tickets than for pages, so the page can inhibit it.
 */
const ticketGroupWaitSeconds = 60

type Child = { name: string; process: ChildProcess; output: () => string }

function start(name: string, command: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  return { name, process: child, output: () => output }
}

async function stop(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return
  const exited = new Promise((r) => child.process.once('exit', r))
  child.process.kill('SIGTERM')
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}

const tail = (c: Child | undefined) =>
  c ? `\n--- ${c.name} (last output) ---\n${c.output().slice(-4_000)}` : ''

type Delivery = { path: string; status: string; labels: Record<string, string> }

describe('SLOs end to end: service, Prometheus, Alertmanager, webhook', () => {
  let scratch: { dir: string; remove: () => Promise<void> }
  let devchain: Child | undefined
  let service: Child | undefined
  let prometheus: Child | undefined
  let alertmanager: Child | undefined
  let webhook: Server | undefined
  const deliveries: Delivery[] = []
  let api = ''
  let prom = ''
  let alertmanagerUrl = ''
  const children = () => [devchain, service, prometheus, alertmanager]
  const logs = () => children().map(tail).join('')

  beforeAll(async () => {
    const prometheusBinary = await requireTool('prometheus')
    const alertmanagerBinary = await requireTool('prometheus-alertmanager')
    scratch = await tempDir('e2e')

    webhook = createServer((req, res) => {
      let body = ''
      req.on('data', (d: Buffer) => {
        body += d.toString()
      })
      req.on('end', () => {
        const payload = JSON.parse(body) as {
          alerts: Array<{ status: string; labels: Record<string, string> }>
        }
        for (const a of payload.alerts)
          deliveries.push({ path: req.url ?? '', status: a.status, labels: a.labels })
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => webhook?.listen(0, '127.0.0.1', resolve))
    const hook = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`

    const [chainPort, apiPort, promPort, amPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ]
    api = `http://127.0.0.1:${apiPort}`
    prom = `http://127.0.0.1:${promPort}`
    alertmanagerUrl = `http://127.0.0.1:${amPort}`

    devchain = start('devchain', process.execPath, [
      cli,
      'devchain',
      '--host',
      '127.0.0.1',
      '--port',
      String(chainPort),
      '--block-time',
      '1',
      '--history',
      '64',
      '--chain-id',
      String(devchainId),
    ])
    await pollUntil(
      'the devchain to answer eth_blockNumber',
      async () => {
        const r = await fetch(`http://127.0.0.1:${chainPort}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
        })
        return r.ok ? true : undefined
      },
      { timeoutMs: 60_000 },
    ).catch((e: Error) => {
      throw new Error(e.message + logs())
    })

    service = start('feecast start', process.execPath, [cli, 'start'], {
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      FEECAST_STATE_DIR: join(scratch.dir, 'state'),
      [`RPC_URL_${devchainId}`]: `http://127.0.0.1:${chainPort}`,
      HISTORY_BLOCKS: '256',
      BACKFILL_FULL_BLOCKS: '32',
      POLL_INTERVAL_MS: '250',
      RPC_TIMEOUT_MS: '2000',
      RPC_RETRIES: '1',
      LOG_LEVEL: 'warn',
    })
    await pollUntil(
      'feecast start to serve GET /metrics on PORT',
      async () => ((await fetch(`${api}/metrics`)).ok ? true : undefined),
      {
        timeoutMs: 90_000,
      },
    ).catch((e: Error) => {
      throw new Error(e.message + logs())
    })

    await writeFile(
      join(scratch.dir, 'alertmanager.yml'),
      alertmanagerYaml(spec, {
        pagerUrl: `${hook}/pager`,
        ticketUrl: `${hook}/tickets`,
        groupWait: '1s',
        ticketGroupWait: `${ticketGroupWaitSeconds}s`,
        groupInterval: '1s',
        repeatInterval: '1h',
      }),
    )
    alertmanager = start('alertmanager', alertmanagerBinary, [
      `--config.file=${join(scratch.dir, 'alertmanager.yml')}`,
      `--storage.path=${join(scratch.dir, 'alertmanager')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ])

    await writeFile(
      join(scratch.dir, 'prometheus.yml'),
      prometheusYaml(spec, {
        scrapeInterval: '1s',
        evaluationInterval: '1s',
        ruleFiles: [join(repoRoot, 'prometheus/rules/*.yml')],
        alertmanagers: [`127.0.0.1:${amPort}`],
        targets: { static: [`127.0.0.1:${apiPort}`] },
        selfAddress: `127.0.0.1:${promPort}`,
      }),
    )
    prometheus = start('prometheus', prometheusBinary, [
      `--config.file=${join(scratch.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(scratch.dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--storage.tsdb.retention.time=1d',
    ])
    for (const [name, url] of [
      ['alertmanager', `http://127.0.0.1:${amPort}/-/ready`],
      ['prometheus', `${prom}/-/ready`],
    ] as const) {
      await pollUntil(`${name} ready`, async () => ((await fetch(url)).ok ? true : undefined), {
        timeoutMs: 60_000,
      }).catch((e: Error) => {
        throw new Error(e.message + logs())
      })
    }
  })

  afterAll(async () => {
    for (const c of children().reverse()) await stop(c)
    await new Promise((r) => (webhook ? webhook.close(r) : r(undefined)))
    await scratch?.remove()
  })

  const query = async (expr: string, range: boolean): Promise<number> => {
    const now = Date.now() / 1000
    const url = range
      ? `${prom}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${now - 180}&end=${now}&step=5`
      : `${prom}/api/v1/query?query=${encodeURIComponent(expr)}`
    const body = (await (await fetch(url)).json()) as {
      status: string
      error?: string
      data?: { result: unknown[] }
    }
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`)
    return body.data?.result.length ?? 0
  }

  /** Bounded traffic on loopback: the three API shapes, for as long as the test waits (at most `ms`). */
  const traffic = (ms: number) => {
    const until = Date.now() + ms
    let stopped = false
    const done = (async () => {
      const paths = [
        `/predict?chainId=${devchainId}`,
        `/gasprices/blockprices?chainid=${devchainId}`,
        `/networks/${devchainId}/suggestedGasFees`,
      ]
      for (let i = 0; !stopped && Date.now() < until && i < 20_000; i++) {
        await fetch(`${api}${paths[i % paths.length]}`)
          .then((r) => r.arrayBuffer())
          .catch(() => undefined)
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    return {
      stop: async () => {
        stopped = true
        await done
      },
    }
  }

  it('fills every dashboard panel, and pages through Alertmanager when the chain stops', {
    timeout: 600_000,
  }, async () => {
    const load = traffic(400_000)
    try {
      // The service samples, predicts, scores, and Prometheus records the SLIs.
      await pollUntil(
        'scored calibration estimates and recorded SLIs in Prometheus',
        async () =>
          (await query(`feecast_calibration_scored_total{job="feecast"}`, false)) > 0 &&
          (await query(`slo:sli_error:ratio_rate5m{sloth_slo="sampler-freshness"}`, false)) > 0 &&
          (await query(`slo:sli_error:ratio_rate5m{sloth_slo="predict-availability"}`, false)) > 0
            ? true
            : undefined,
        { timeoutMs: 150_000, intervalMs: 2_000 },
      ).catch((e: Error) => {
        throw new Error(e.message + logs())
      })
      expect(deliveries.filter((d) => d.labels.alertname === pagedAlert)).toEqual([])

      // Stop the chain: the newest block ages past the bound and the freshness budget burns.
      await stop(devchain)
      const page = await pollUntil(
        `${pagedAlert} (page) at the pager webhook`,
        async () =>
          deliveries.find(
            (d) =>
              d.path === '/pager' &&
              d.status === 'firing' &&
              d.labels.alertname === pagedAlert &&
              d.labels.severity === 'page' &&
              d.labels.chain_id === String(devchainId),
          ),
        { timeoutMs: 180_000, intervalMs: 1_000 },
      ).catch((e: Error) => {
        throw new Error(`${e.message}; deliveries: ${JSON.stringify(deliveries)}${logs()}`)
      })
      expect(page.labels).toMatchObject({ sloth_id: 'feecast-sampler-freshness', sloth_service: 'feecast' })

      // Every query of every dashboard panel returns data (the firing-alerts panels included, now).
      const queries = dashboardQueries(spec)
      const empty: string[] = []
      for (const q of queries) {
        const expr = resolveGrafanaVariables(q.expr, { rateInterval: '1m' })
        if ((await query(expr, !q.instant)) === 0)
          empty.push(`${q.dashboard} / ${q.panel} / ${q.refId}: ${expr}`)
      }
      expect(empty, `panel queries without data:\n${empty.join('\n')}`).toEqual([])

      // The freshness ticket of the same chain fires in Prometheus but stays inhibited by the page:
      // Alertmanager holds it as suppressed by the page, and past the ticket route's wait it is not sent.
      expect(
        await query(`ALERTS{alertname="${pagedAlert}",severity="ticket",alertstate="firing"}`, false),
      ).toBeGreaterThan(0)
      await pollUntil(
        `${pagedAlert} (ticket) suppressed in Alertmanager`,
        async () => {
          const held = (await (await fetch(`${alertmanagerUrl}/api/v2/alerts`)).json()) as Array<{
            labels: Record<string, string>
            status: { state: string; inhibitedBy: string[] }
          }>
          return held.some(
            (a) =>
              a.labels.alertname === pagedAlert &&
              a.labels.severity === 'ticket' &&
              a.status.state === 'suppressed' &&
              a.status.inhibitedBy.length > 0,
          )
            ? true
            : undefined
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      )
      await new Promise((r) => setTimeout(r, (ticketGroupWaitSeconds + 2) * 1000))
      expect(
        deliveries.filter((d) => d.labels.alertname === pagedAlert && d.labels.severity === 'ticket'),
      ).toEqual([])
    } finally {
      await load.stop()
    }
  })
})

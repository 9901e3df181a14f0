import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Prediction } from '@feecast/client'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatGwei } from '../src/page/pageScript.js'
import { type FeecastProcess, startFeecast } from './support/feecastProcess.js'
import { predictionFixture, publishPrediction } from './support/predictionFixture.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { type SpawnedApiServer, spawnApiServer } from './support/spawnApiServer.js'
import { waitFor } from './support/waitFor.js'

/**
 * Issue #15: the live page, in a real browser (Debian's chromium, headless, driven by puppeteer-core)
 * against a running `feecast start` on its embedded default (devchain, private Redis, sampler,
 * predictor, API: what `npm start` runs). The numbers shown must be /predict's for the block shown; the
 * page must follow new blocks without a reload; a stale chain must say so; axe-core finds no serious or
 * critical violation; nothing scrolls sideways at 375 px. Screenshots land in bench/results/.
 */

const root = fileURLToPath(new URL('..', import.meta.url))
/** GRAFANA_URL for the run (nothing answers there: the page only links to it). */
const grafanaUrl = 'https://grafana.example.org/grafana'
const chromium = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim()
  } catch {
    throw new Error(
      'chromium is not installed: npm test installs it from apt (Debian: apt-get install chromium)',
    )
  }
})()
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

let work: string
let feecast: FeecastProcess
let browser: Browser

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'feecast-page-'))
  feecast = await startFeecast({
    env: { DEVCHAIN_BLOCK_TIME: '1', FEECAST_STATE_DIR: join(work, 'state'), GRAFANA_URL: grafanaUrl },
  })
  // Waits on /readyz, not /predict: each 503 of a /predict poll before the first prediction would count
  // against the availability the page's objectives table shows (and its screenshot in the README).
  await waitFor(async () => (await fetch(`${feecast.url}/readyz`).catch(() => null))?.status === 200, {
    timeoutMs: 90_000,
    message: 'feecast to be ready (a fresh prediction)',
  })
  browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await feecast?.stop()
  rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
})

type ShownRow = { confidence: number; within: number; cells: Record<string, { value: string; text: string }> }

/** The block the page shows for a chain, and every fee cell of it (exact value and the text shown). */
async function shown(
  page: Page,
  chainId: number,
): Promise<{ block: number; stale: boolean; rows: ShownRow[] }> {
  return page.$eval(`section[data-chain-id="${chainId}"]`, (section) => ({
    block: Number(section.getAttribute('data-block')),
    stale: section.querySelector('[data-stale="true"]') !== null,
    rows: [...section.querySelectorAll('tr[data-confidence]')].map((tr) => ({
      confidence: Number(tr.getAttribute('data-confidence')),
      within: Number(tr.getAttribute('data-within')),
      cells: Object.fromEntries(
        [...tr.querySelectorAll('td[data-field]')].map((td) => [
          td.getAttribute('data-field') ?? '',
          { value: td.getAttribute('data-value') ?? '', text: td.textContent ?? '' },
        ]),
      ),
    })),
  }))
}

/** The page's view and /predict's answer for the same block (retried across a block boundary). */
async function sameBlock(page: Page, url: string, chainId: number) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const view = await shown(page, chainId)
    const prediction = (await (await fetch(`${url}/predict?chainId=${chainId}`)).json()) as Prediction
    if (prediction.blockNumber === view.block) return { view, prediction }
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error('the page and /predict never showed the same block')
}

async function open(url: string, width: number): Promise<Page> {
  const page = await browser.newPage()
  await page.setViewport({ width, height: 900 })
  await page.goto(url, { waitUntil: 'domcontentloaded' })
  await page.waitForSelector('section.chain[data-block]', { timeout: 30_000 })
  return page
}

async function seriousViolations(page: Page) {
  await page.addScriptTag({ path: axePath })
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> }
      }
    ).axe
    return axe.run()
  })
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`)
}

describe('the live page on a running feecast', () => {
  it("shows /predict's numbers for the block it shows, and follows new blocks without a reload", async () => {
    const page = await open(`${feecast.url}/`, 1280)
    const { view, prediction } = await sameBlock(page, feecast.url, 1337)
    expect(view.stale).toBe(false)
    expect(view.rows.length).toBe(prediction.estimates.length)
    for (const e of prediction.estimates) {
      const row = view.rows.find((r) => r.confidence === e.confidence && r.within === e.withinBlocks)
      expect(row, `${e.confidence} % within ${e.withinBlocks}`).toBeDefined()
      const expected: Record<string, number> = {
        tip: e.maxPriorityFeePerGasGwei,
        maxFee: e.maxFeePerGasGwei,
        expected: Number(e.expectedFeePerGas) / 1e9,
        // The embedded devchain carries blobs (Cancun and later): the blob fee cap is shown too.
        blobMaxFee: e.maxFeePerBlobGasGwei ?? Number.NaN,
      }
      for (const [field, value] of Object.entries(expected)) {
        expect(Number(row?.cells[field]?.value), field).toBe(value)
        expect(row?.cells[field]?.text, field).toBe(formatGwei(value))
      }
    }

    // A marker a reload would drop: the page must follow the next blocks in place.
    await page.evaluate(() => {
      ;(window as unknown as { marker: number }).marker = 42
    })
    await page.waitForFunction(
      (block) =>
        Number(document.querySelector('section[data-chain-id="1337"]')?.getAttribute('data-block')) >=
        block + 2,
      { timeout: 30_000 },
      view.block,
    )
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)
    expect((await sameBlock(page, feecast.url, 1337)).view.block).toBeGreaterThanOrEqual(view.block + 2)

    // The fan chart and the reliability diagram are drawn from data (not empty frames).
    expect(
      await page.$$eval('section[data-chain-id="1337"] svg.chart polyline', (l) => l.length),
    ).toBeGreaterThan(0)
    expect(prediction.blobBaseFeeForecast?.length).toBeGreaterThan(0)
    expect(
      await page.$$eval('section[data-chain-id="1337"] svg.chart', (charts) =>
        charts.map((c) => c.getAttribute('aria-label') ?? c.querySelector('title')?.textContent ?? ''),
      ),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^Blob base fee forecast/)]))
    await page.waitForFunction(() => document.querySelectorAll('svg.reliability circle').length > 0, {
      timeout: 60_000,
    })
    const objectives = await page.$$eval('#objectives tr', (rows) =>
      rows.map((r) => r.getAttribute('data-objective')),
    )
    expect(objectives).toEqual(
      expect.arrayContaining([
        'predict-availability',
        'predict-latency-200ms',
        'prediction-calibration-1337',
      ]),
    )
    // Each objective shows its verdict as /page/objectives gives it (met, not met, or not judged).
    const verdicts = await page.$$eval('#objectives tr', (rows) =>
      rows.map((r) => r.querySelector('span[data-met]')?.getAttribute('data-met') ?? 'missing'),
    )
    const served = (await (await fetch(`${feecast.url}/page/objectives`)).json()) as {
      objectives: Array<{ met: boolean | null }>
    }
    expect(verdicts).toHaveLength(served.objectives.length)
    expect(verdicts.every((v) => ['true', 'false', 'null'].includes(v))).toBe(true)
    // GRAFANA_URL is set: each objective links to the SLO board's 30-day view.
    const links = await page.$$eval('#objectives tr', (rows) =>
      rows.map((r) => r.querySelector('a')?.getAttribute('href') ?? null),
    )
    expect(links.length).toBe(objectives.length)
    expect(new Set(links)).toEqual(new Set([`${grafanaUrl}/d/feecast-slo?from=now-30d&to=now`]))

    mkdirSync(join(root, 'bench/results'), { recursive: true })
    await page.screenshot({ path: join(root, 'bench/results/page-desktop.png'), fullPage: true })
    expect(await seriousViolations(page)).toEqual([])
    await page.close()
  }, 180_000)

  it('fits a 375 px phone without scrolling sideways', async () => {
    const page = await open(`${feecast.url}/`, 375)
    await page.waitForFunction(() => document.querySelectorAll('svg.reliability').length > 0)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    await page.screenshot({ path: join(root, 'bench/results/page-phone.png'), fullPage: true })
    expect(await seriousViolations(page)).toEqual([])
    await page.close()
  }, 60_000)
})

describe('a chain whose data is old', () => {
  let redis: TestRedis
  let api: SpawnedApiServer

  beforeAll(async () => {
    redis = await startTestRedis()
    const old = Math.floor(Date.now() / 1000) - 600
    await publishPrediction(
      redis.client(),
      predictionFixture({ chainId: 1, timestamp: old, createdAt: old * 1000 }),
    )
    api = await spawnApiServer({ env: { REDIS_URL: redis.url, LOG_LEVEL: 'warn' }, chains: [1] })
  }, 60_000)

  afterAll(async () => {
    api?.child.kill('SIGKILL')
    await redis?.stop()
  })

  it('is shown as stale', async () => {
    const page = await open(`${api.url}/`, 1280)
    const view = await shown(page, 1)
    expect(view.stale).toBe(true)
    expect(await page.$eval('section[data-chain-id="1"]', (s) => s.classList.contains('stale'))).toBe(true)
    expect(await page.$eval('section[data-chain-id="1"] [data-stale="true"]', (b) => b.textContent)).toMatch(
      /STALE/,
    )
    expect(await seriousViolations(page)).toEqual([])
    await page.close()
  }, 60_000)
})

/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { BaseFeeForecast, ChainsBody, Estimate, Prediction } from '@feecast/client'
import type { ObjectivesBody, PageChainBody } from './pageTypes.js'

/**
 * The live page's script, run in the browser. Served as the source text of the functions below
 * (pageScriptSource), so each is self-contained: it uses the DOM and the other functions of this file,
 * nothing imported at run time. No framework: the page is a few tables and three SVG charts, and it
 * must stay light enough to load on a phone before a wallet signs.
 *
 * It follows each chain with conditional GETs of /predict (the browser revalidates with the ETag, so an
 * unchanged prediction costs a 304), about four times per block time, and reads the chain's history and
 * reliability again when the block changes.
 */

/** A gwei amount as people read it: 3 significant digits below 100, whole tenths above. */
export function formatGwei(gwei: number): string {
  if (gwei === 0) return '0'
  if (gwei >= 100) return gwei.toFixed(1)
  if (gwei >= 0.001) return Number(gwei.toPrecision(3)).toString()
  return gwei.toExponential(2)
}

/** An element with attributes and children (text or elements). */
export function el(
  tag: string,
  attributes: Record<string, string>,
  ...children: Array<Node | string>
): HTMLElement {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  for (const child of children) node.append(child)
  return node
}

/** An SVG element with attributes. */
export function svg(
  tag: string,
  attributes: Record<string, string | number>,
  ...children: Node[]
): SVGElement {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value))
  for (const child of children) node.append(child)
  return node
}

/** One cell of the fee table: its exact number in data-value (tests and scrapers), rounded as text. */
export function feeCell(value: number | undefined, field: string): HTMLElement {
  if (value === undefined) return el('td', { 'data-field': field }, '–')
  return el('td', { 'data-field': field, 'data-value': String(value) }, formatGwei(value))
}

/** The fees to sign now: one table per horizon, a row per confidence level. */
export function feeTables(prediction: Prediction): HTMLElement {
  const withBlobs = prediction.estimates.some((e) => 'maxFeePerBlobGasGwei' in e)
  const byHorizon = new Map<number, Estimate[]>()
  for (const e of prediction.estimates)
    byHorizon.set(e.withinBlocks, [...(byHorizon.get(e.withinBlocks) ?? []), e])
  const tables = [...byHorizon].map(([n, estimates]) =>
    el(
      'table',
      { class: 'fees' },
      el('caption', {}, `Included within ${n} block${n === 1 ? '' : 's'}`),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'chance'),
          el('th', { scope: 'col' }, 'tip'),
          el('th', { scope: 'col' }, 'max fee'),
          el('th', { scope: 'col' }, 'expected'),
          ...(withBlobs ? [el('th', { scope: 'col' }, 'blob max')] : []),
        ),
      ),
      el(
        'tbody',
        {},
        ...estimates.map((e) =>
          el(
            'tr',
            { 'data-confidence': String(e.confidence), 'data-within': String(e.withinBlocks) },
            el('th', { scope: 'row' }, `${e.confidence} %`),
            feeCell(e.maxPriorityFeePerGasGwei, 'tip'),
            feeCell(e.maxFeePerGasGwei, 'maxFee'),
            feeCell(Number(e.expectedFeePerGas) / 1e9, 'expected'),
            ...(withBlobs ? [feeCell(e.maxFeePerBlobGasGwei, 'blobMaxFee')] : []),
          ),
        ),
      ),
    ),
  )
  return el('div', { class: 'tables' }, ...tables)
}

/** Where a fan chart draws: block and gwei ranges mapped onto its frame. */
export type FanFrame = {
  width: number
  height: number
  pad: { left: number; right: number; top: number; bottom: number }
  x0: number
  x1: number
  y0: number
  y1: number
  x(block: number): number
  y(gwei: number): number
}

/** The frame of a fan chart over what it draws (the range of the values, not from zero: a 10 % move shows). */
export function fanFrame(blocks: readonly number[], values: readonly number[]): FanFrame {
  const width = 340
  const height = 170
  const pad = { left: 44, right: 8, top: 10, bottom: 26 }
  const x0 = Math.min(...blocks)
  const x1 = Math.max(...blocks, x0 + 1)
  const top = Math.max(...values, 1e-9)
  const bottom = Math.min(...values, top)
  const y0 = Math.max(0, bottom - (top - bottom) * 0.08 - top * 0.01)
  const y1 = top + (top - bottom) * 0.05 + top * 0.01
  return {
    width,
    height,
    pad,
    x0,
    x1,
    y0,
    y1,
    x: (block) => pad.left + ((block - x0) / (x1 - x0)) * (width - pad.left - pad.right),
    y: (gwei) => height - pad.bottom - ((gwei - y0) / (y1 - y0)) * (height - pad.top - pad.bottom),
  }
}

/** A line through (block, gwei) points. */
export function fanLine(
  frame: FanFrame,
  points: ReadonlyArray<[number, number]>,
  stroke: string,
  dash = '',
): SVGElement {
  return svg('polyline', {
    points: points.map(([block, gwei]) => `${frame.x(block)},${frame.y(gwei)}`).join(' '),
    fill: 'none',
    stroke,
    'stroke-width': 2,
    'stroke-dasharray': dash,
  })
}

/** The area between two quantiles of the forecast. */
export function fanBand(
  frame: FanFrame,
  ahead: ReadonlyArray<{ block: number; lower: number; upper: number }>,
  fill: string,
): SVGElement {
  const top = ahead.map((a) => `${frame.x(a.block)},${frame.y(a.upper)}`)
  const bottom = [...ahead].reverse().map((a) => `${frame.x(a.block)},${frame.y(a.lower)}`)
  return svg('path', { d: `M${[...top, ...bottom].join('L')}Z`, fill })
}

/** A text label in a chart. */
export function chartLabel(text: string, x: number, y: number, anchor = 'start'): SVGElement {
  return svg(
    'text',
    { x, y, 'font-size': 11, 'text-anchor': anchor, fill: '#333' },
    document.createTextNode(text),
  )
}

/** A fan chart: recent values as a line, then the forecast's 50 % line and its 50-90 % and 90-99 % bands. */
export function fanChart(
  title: string,
  recent: ReadonlyArray<{ blockNumber: number; gwei: number }>,
  headBlock: number,
  forecast: readonly BaseFeeForecast[],
): SVGElement {
  const ahead = forecast.map((f) => ({
    block: headBlock + f.blocksAhead,
    q50: Number(f.quantiles['50']) / 1e9,
    q90: Number(f.quantiles['90']) / 1e9,
    q99: Number(f.quantiles['99']) / 1e9,
  }))
  const frame = fanFrame(
    [headBlock, ...recent.map((r) => r.blockNumber), ...ahead.map((a) => a.block)],
    [...recent.map((r) => r.gwei), ...ahead.flatMap((a) => [a.q50, a.q99])],
  )
  const { width, height, pad } = frame
  const start: [number, number] = [headBlock, recent.at(-1)?.gwei ?? ahead[0]?.q50 ?? 0]
  return svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart' },
    svg('title', {}, document.createTextNode(title)),
    fanBand(
      frame,
      ahead.map((a) => ({ block: a.block, lower: a.q90, upper: a.q99 })),
      '#c9dcf2',
    ),
    fanBand(
      frame,
      ahead.map((a) => ({ block: a.block, lower: a.q50, upper: a.q90 })),
      '#8fb6e3',
    ),
    fanLine(
      frame,
      recent.map((r) => [r.blockNumber, r.gwei]),
      '#222',
    ),
    fanLine(frame, [start, ...ahead.map((a): [number, number] => [a.block, a.q50])], '#0b4f9c', '4 3'),
    svg('line', {
      x1: frame.x(headBlock),
      x2: frame.x(headBlock),
      y1: pad.top,
      y2: height - pad.bottom,
      stroke: '#999',
    }),
    chartLabel(formatGwei(frame.y1), pad.left - 4, pad.top + 8, 'end'),
    chartLabel(formatGwei(frame.y0), pad.left - 4, height - pad.bottom, 'end'),
    chartLabel('gwei', pad.left - 4, (height - pad.bottom + pad.top) / 2, 'end'),
    ...blockAxisLabels(frame, headBlock),
  )
}

/** The block axis: its first and last block and "now" at the head, an edge label dropped where "now" sits on it. */
export function blockAxisLabels(frame: FanFrame, headBlock: number): SVGElement[] {
  // Room a label needs beside "now" (px); inside the function, since the page gets functions' source only.
  const axisLabelRoom = 44
  const { width, height, pad } = frame
  const now = frame.x(headBlock)
  return [
    ...(now - pad.left >= axisLabelRoom ? [chartLabel(`#${frame.x0}`, pad.left, height - 8)] : []),
    chartLabel('now', now, height - 8, 'middle'),
    ...(width - pad.right - now >= axisLabelRoom
      ? [chartLabel(`#${frame.x1}`, width - pad.right, height - 8, 'end')]
      : []),
  ]
}

/**
 * The reliability diagram: promised against realised, a point per (level, horizon) with its interval. Both
 * axes are on the log-odds scale, log10(p / (1 - p)): on a linear one 90, 95 and 99 % sit within a few
 * pixels of each other, yet the distance between them (10, 5 and 1 % misses) is what a wallet pays for,
 * while 50 and 70 % keep their room. The diagonal stays straight; a realised 100 % sits on the top edge.
 */
export function reliabilityChart(
  points: PageChainBody['reliability'],
  backtest: PageChainBody['backtest'],
): SVGElement {
  const size = 300
  const pad = 36
  // Inside the function: the page gets functions' source only.
  const logOdds = (percent: number) => {
    const p = Math.min(99.7, Math.max(30, percent)) / 100
    return Math.log10(p / (1 - p))
  }
  const lo = logOdds(30)
  const hi = logOdds(99.7)
  const scale = (percent: number) => pad + ((logOdds(percent) - lo) / (hi - lo)) * (size - 2 * pad)
  const sx = scale
  const sy = (percent: number) => size - scale(percent)
  const ticks = [50, 70, 90, 95, 99]
  const horizonsShown = [...new Set(points.map((p) => p.withinBlocks))].sort((a, b) => a - b)
  // Horizons of one level side by side, 5 px apart, so their intervals do not hide each other.
  const spread = (withinBlocks: number) =>
    (horizonsShown.indexOf(withinBlocks) - (horizonsShown.length - 1) / 2) * 5
  const scored = points.filter((p) => p.coverage !== null && p.interval !== null)
  const text = (t: string, tx: number, ty: number, anchor = 'middle') =>
    svg(
      'text',
      { x: tx, y: ty, 'font-size': 11, 'text-anchor': anchor, fill: '#333' },
      document.createTextNode(t),
    )
  return svg(
    'svg',
    {
      viewBox: `0 0 ${size} ${size}`,
      role: 'img',
      class: 'chart reliability',
      'aria-label': `Live reliability: ${scored.length} (level, horizon) points scored`,
    },
    svg('title', {}, document.createTextNode('Promised probability against realised coverage')),
    ...ticks.map((t) => svg('line', { x1: pad, x2: size - pad, y1: sy(t), y2: sy(t), stroke: '#eee' })),
    svg('line', {
      x1: sx(30),
      y1: sy(30),
      x2: sx(99.7),
      y2: sy(99.7),
      stroke: '#999',
      'stroke-dasharray': '3 3',
    }),
    ...(backtest ?? []).map((b) =>
      svg('circle', { cx: sx(b.confidence), cy: sy(b.coverage), r: 3, fill: '#b35c00' }),
    ),
    ...scored.flatMap((p) => {
      const [low, high] = p.interval ?? [0, 0]
      const cx = sx(p.confidence) + spread(p.withinBlocks)
      return [
        svg('line', { x1: cx, x2: cx, y1: sy(low), y2: sy(high), stroke: '#0b4f9c', 'stroke-width': 1 }),
        svg('circle', { cx, cy: sy(p.coverage ?? 0), r: 3, fill: '#0b4f9c' }),
      ]
    }),
    ...ticks.flatMap((t) => [
      text(`${t}`, sx(t), size - pad + 14),
      text(`${t}`, pad - 4, sy(t) + 4, 'end'),
      svg('line', { x1: sx(t), x2: sx(t), y1: size - pad, y2: size - pad + 4, stroke: '#999' }),
    ]),
    // The top edge is every realised coverage above 99.7 %, 100 % included.
    text('100', pad - 4, sy(99.7) + 4, 'end'),
    text('promised, %', size / 2, size - 4),
    text('realised, %', 4, pad - 14, 'start'),
  )
}

type FetchJson = <T>(path: string) => Promise<T>

/** GET a JSON document, revalidating with the browser's cached ETag (a 304 costs no body). */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { cache: 'no-cache', headers: { Accept: 'application/json' } })
  if (!response.ok) throw new Error(`${path}: ${response.status}`)
  return (await response.json()) as T
}

/** A chain's heading, head block, age, STALE or fresh, trust label and its reasons. */
export function chainHeader(name: string, prediction: Prediction): HTMLElement[] {
  const ageSeconds = Math.round(prediction.ageMs / 100) / 10
  const trust = prediction.trust.label
  return [
    el(
      'h2',
      { id: `chain-${prediction.chainId}` },
      `${name} `,
      el('span', { class: 'muted' }, `chain ${prediction.chainId}`),
    ),
    el(
      'p',
      { class: 'head' },
      `Block #${prediction.blockNumber}, data ${ageSeconds} s old. `,
      prediction.stale
        ? el('strong', { class: 'badge stale', 'data-stale': 'true' }, 'STALE: do not sign on these numbers')
        : el('span', { class: 'badge fresh', 'data-stale': 'false' }, 'fresh'),
      ' ',
      el('span', { class: `badge trust-${trust}`, 'data-trust': trust }, `trust ${trust}`),
    ),
    ...(prediction.trust.reasons.length > 0
      ? [el('ul', { class: 'reasons' }, ...prediction.trust.reasons.map((r) => el('li', {}, r)))]
      : []),
    el(
      'p',
      { class: 'muted' },
      `Next block's base fee: ${formatGwei(Number(prediction.pendingBaseFeePerGas) / 1e9)} gwei${
        prediction.pendingBlobBaseFeePerGas === undefined
          ? ''
          : `, blob base fee: ${formatGwei(Number(prediction.pendingBlobBaseFeePerGas) / 1e9)} gwei`
      }. All fees in gwei.`,
    ),
  ]
}

/** The forecast fans (base fee; blob base fee where the chain has blobs) and the reliability diagram. */
export function chainCharts(prediction: Prediction, page: PageChainBody | undefined): Element[] {
  const blobForecast = prediction.blobBaseFeeForecast
  const recent = (page?.recentBaseFees ?? []).map((r) => ({
    blockNumber: r.blockNumber,
    gwei: r.baseFeeGwei,
  }))
  const scored = page?.reliability.reduce((n, p) => n + p.scored, 0) ?? 0
  const shownHorizons = [...new Set(page?.reliability.map((p) => p.withinBlocks) ?? [])].sort((a, b) => a - b)
  return [
    el('h3', {}, 'Base fee: recent and forecast'),
    fanChart(
      "Base fee of the last blocks and the forecast's 50, 90 and 99 % bands, in gwei",
      recent,
      prediction.blockNumber,
      prediction.baseFeeForecast,
    ),
    ...(blobForecast
      ? [
          el('h3', {}, 'Blob base fee forecast'),
          fanChart('Blob base fee forecast, in gwei', [], prediction.blockNumber, blobForecast),
        ]
      : []),
    el('h3', {}, 'Live reliability'),
    el(
      'p',
      { class: 'muted' },
      page
        ? `Each blue point: a (probability, blocks) promise, how often it was kept since this chain's calibration started (${scored} estimates scored), with its 95 % interval; the horizons of a level left to right (within ${shownHorizons.join(', ')} blocks). Orange: the shipped model's backtest. Both axes are spaced by log-odds, so 90, 95 and 99 % stand apart.`
        : 'Reading the calibration…',
    ),
    reliabilityChart(page?.reliability ?? [], page?.backtest ?? null),
  ]
}

/** One chain's section. */
export function chainSection(
  name: string,
  prediction: Prediction,
  page: PageChainBody | undefined,
): HTMLElement {
  return el(
    'section',
    {
      class: prediction.stale ? 'chain stale' : 'chain',
      'data-chain-id': String(prediction.chainId),
      'data-block': String(prediction.blockNumber),
      'aria-labelledby': `chain-${prediction.chainId}`,
    },
    ...chainHeader(name, prediction),
    feeTables(prediction),
    ...chainCharts(prediction, page),
  )
}

/**
 * Follows one chain: /predict about four times a block, its history and reliability again when the block
 * changes (or while it is stale), the section replaced in place.
 */
export function followChain(
  chain: { chainId: number; name: string; blockTimeMs: number },
  getJson: FetchJson,
): void {
  const root = document.getElementById('chains') as HTMLElement
  const status = document.getElementById('status') as HTMLElement
  let shown: { block: number; section: HTMLElement } | undefined
  let page: PageChainBody | undefined
  const tick = async () => {
    try {
      const prediction = await getJson<Prediction>(`/predict?chainId=${chain.chainId}`)
      if (shown === undefined || shown.block !== prediction.blockNumber || prediction.stale)
        page = await getJson<PageChainBody>(`/page/chains/${chain.chainId}`).catch(() => page)
      const section = chainSection(chain.name, prediction, page)
      if (shown) shown.section.replaceWith(section)
      else root.append(section)
      shown = { block: prediction.blockNumber, section }
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`
    } catch (error) {
      status.textContent = `Could not reach feecast for chain ${chain.chainId}: ${(error as Error).message}`
    }
    setTimeout(tick, Math.min(5_000, Math.max(250, chain.blockTimeMs / 4)))
  }
  void tick()
}

/** The objectives table, every 5 s. */
export function followObjectives(getJson: FetchJson): void {
  const tick = async () => {
    try {
      const body = await getJson<ObjectivesBody>('/page/objectives')
      const rows = body.objectives.map((o) =>
        el(
          'tr',
          { 'data-objective': o.name },
          el('th', { scope: 'row' }, o.title),
          el('td', {}, o.target),
          el(
            'td',
            {},
            `${o.seen} `,
            el(
              'span',
              {
                class: o.met === true ? 'verdict-met' : o.met === false ? 'verdict-missed' : 'muted',
                'data-met': String(o.met),
              },
              o.met === true ? '(met)' : o.met === false ? '(not met)' : '',
            ),
          ),
          ...(o.grafana ? [el('td', {}, el('a', { href: o.grafana }, '30 days in Grafana'))] : []),
        ),
      )
      ;(document.getElementById('objectives') as HTMLElement).replaceChildren(...rows)
      ;(document.getElementById('since') as HTMLElement).textContent = body.since
    } catch {}
    setTimeout(tick, 5_000)
  }
  void tick()
}

/** The page: the served chains (from /chains), each followed, and the objectives. */
export function startPage(): void {
  const status = document.getElementById('status') as HTMLElement
  getJson<ChainsBody>('/chains')
    .then((body) => {
      if (body.chains.length === 0) status.textContent = 'No chain served yet.'
      // The footer links each served chain's /predict (a fixed chainId=1 was a 404 on the devchain).
      const links = document.getElementById('predict-links')
      if (links && body.chains.length > 0)
        links.replaceChildren(
          ...body.chains.flatMap((chain, i) => [
            ...(i > 0 ? [document.createTextNode(' · ')] : []),
            el('a', { href: `/predict?chainId=${chain.chainId}` }, `/predict?chainId=${chain.chainId}`),
          ]),
        )
      // The freshness bound is five block times (at least 30 s): a block time to pace the polling.
      for (const chain of body.chains)
        followChain(
          { chainId: chain.chainId, name: chain.name, blockTimeMs: (chain.freshnessSeconds * 1000) / 5 },
          getJson,
        )
    })
    .catch((error: Error) => {
      status.textContent = `Could not reach feecast: ${error.message}`
    })
  followObjectives(getJson)
}

/** The served script: the functions above as source text, started once the document is parsed. */
export function pageScriptSource(): string {
  const parts = [
    formatGwei,
    el,
    svg,
    feeCell,
    feeTables,
    fanFrame,
    fanLine,
    fanBand,
    chartLabel,
    blockAxisLabels,
    fanChart,
    reliabilityChart,
    getJson,
    chainHeader,
    chainCharts,
    chainSection,
    followChain,
    followObjectives,
    startPage,
  ].map(String)
  // esbuild (tsx, vitest) may wrap functions with a __name helper; the browser has none.
  return `(() => {\nconst __name = (f) => f;\n${parts.join('\n')}\nstartPage()\n})()\n`
}

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { requestOutcomes } from '../../metrics/metrics.js'
import { defaultModelDir } from '../../model/defaultModel.js'
import { pageHtml } from '../../page/pageHtml.js'
import { pageScriptSource } from '../../page/pageScript.js'
import type { PageChainBody } from '../../page/pageTypes.js'
import { feecastSloSpec } from '../../slo/spec.js'
import { readBlobCalibrationState } from '../../store/blobCalibrationState.js'
import { readCalibrationState } from '../../store/readCalibrationState.js'
import { readLatestBlocks } from '../../store/readLatestBlocks.js'
import type { StoreClient } from '../../store/scripts.js'
import { etagMatches } from '../conditional.js'
import { type Answer, empty, json } from '../core/answer.js'
import type { Context } from '../core/context.js'
import type { RouteDefinition } from '../core/route.js'
import {
  type BandScores,
  baseFeeCalibration,
  objectivesSeen,
  pricedBlobCalibration,
  recentBaseFees,
  reliabilityPoints,
  scoresAtLevel,
} from '../pageData.js'
import type { FeedEntry, PredictionFeed } from '../predictionFeed.js'
import { z } from '../zod.js'
import { badParameter, isEntry, lookupChain } from './chainLookup.js'

export type PageRoutesParameters = {
  feed: PredictionFeed
  /** Where the stored blocks and calibration states are read (none: the page shows fees only). */
  store?: StoreClient | undefined
  startedAt: number
  /** How many recent blocks the fan chart shows before the forecast. */
  recentBlocks?: number
  /** The shipped model's backtest.json (models/basefee/ by default); missing or malformed: none drawn. */
  backtestFile?: string
  /** GRAFANA_URL: each objective links to its 30-day view there; none: no links. */
  grafanaUrl?: string | undefined
}

const BacktestFileSchema = z.object({
  format: z.literal('feecast-backtest'),
  rows: z
    .array(
      z.object({
        confidence: z.number().min(0).max(100),
        withinBlocks: z.number().int().positive(),
        coverage: z.number().min(0).max(1),
      }),
    )
    .max(1000),
})

/** The backtest points (percent), or null when the file is not there or not what training writes. */
export function readModelBacktest(file: string): PageChainBody['backtest'] {
  try {
    const parsed = BacktestFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
    return parsed.rows.map((r) => ({
      confidence: r.confidence,
      withinBlocks: r.withinBlocks,
      coverage: r.coverage * 100,
    }))
  } catch {
    return null
  }
}

/** A fixed asset: its bytes and ETag made once; revalidated by clients (no-cache), 304 when unchanged. */
function asset(contentType: string, text: string): (c: Context) => Answer {
  const body = Buffer.from(text)
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
  const headers = ['Content-Type', contentType, 'ETag', etag, 'Cache-Control', 'no-cache']
  const ok: Answer = { status: 200, headers, body }
  const notModified = empty(304, ['ETag', etag, 'Cache-Control', 'no-cache'])
  return (c) => (etagMatches(c.headers.ifNoneMatch, etag) ? notModified : ok)
}

/**
 * The live page: GET / (the document), GET /page.js (its script), and what it reads beside /predict:
 * GET /page/chains/{chainId} (recent base fees, live reliability; read from Redis once per block) and
 * GET /page/objectives (the SLOs as this process has seen them).
 */
export function pageRoutes({
  feed,
  store,
  startedAt,
  recentBlocks = 48,
  backtestFile = join(defaultModelDir, 'backtest.json'),
  grafanaUrl,
}: PageRoutesParameters): RouteDefinition[] {
  const backtest = readModelBacktest(backtestFile)
  const html = asset('text/html; charset=utf-8', pageHtml({ grafanaUrl }))
  const script = asset('text/javascript; charset=utf-8', pageScriptSource())
  const chainBodies = new WeakMap<FeedEntry, Promise<PageChainBody>>()

  const chainBody = (entry: FeedEntry): Promise<PageChainBody> => {
    const known = chainBodies.get(entry)
    if (known) return known
    const made = readChainBody(entry, store, recentBlocks, backtest)
    chainBodies.set(entry, made)
    // A failed read is not kept: the next request (the page polls) tries again.
    made.catch(() => chainBodies.delete(entry))
    return made
  }

  /** Each band SLO's scores per served chain: base fees from the page's chain body, blobs from Redis. */
  const bandScores = async (): Promise<Record<string, BandScores[]>> => {
    const perChain = await Promise.all(
      feed.chainIds().map(async (chainId) => {
        const entry = feed.get(chainId)
        const [body, storedBlob] = await Promise.all([
          entry ? chainBody(entry).catch(() => undefined) : undefined,
          store ? readBlobCalibrationState(store, { chainId }).catch(() => null) : null,
        ])
        const priced = pricedBlobCalibration(storedBlob)
        return {
          baseFee: { chainId, ...scoresAtLevel(body?.reliability ?? [], baseFeeLevel) },
          // A chain without blobs has no blob calibration: no row, rather than "nothing scored".
          blob: priced ? [{ chainId, ...scoresAtLevel(reliabilityPoints(priced), blobLevel) }] : [],
        }
      }),
    )
    return {
      'prediction-calibration': perChain.map((c) => c.baseFee),
      'blob-fee-calibration': perChain.flatMap((c) => c.blob),
    }
  }

  const page = (path: string, summary: string, handler: RouteDefinition['handler']): RouteDefinition => ({
    openapi: { method: 'get', path, summary, responses: { 200: { description: summary } } },
    undocumented: true,
    handler,
  })
  return [
    page('/', 'The live page', html),
    page('/page.js', "The live page's script", script),
    page('/page/chains/{chainId}', 'Recent base fees and live reliability of a chain', async (c) => {
      const chainId = c.params.chainId ?? ''
      if (!/^[1-9][0-9]{0,15}$/.test(chainId)) return badParameter(c, feed, 'chainId')
      const entry = lookupChain(c, feed, Number(chainId), 'chainId')
      if (!isEntry(entry)) return entry
      return json(200, await chainBody(entry), ['Cache-Control', 'no-cache'])
    }),
    page('/page/objectives', 'The objectives as this process has seen them', async () => {
      const predict = requestOutcomes('/predict')
      const body = objectivesSeen(
        feecastSloSpec,
        { predict, bands: await bandScores() },
        new Date(startedAt),
        grafanaUrl,
      )
      return json(200, body, ['Cache-Control', 'no-cache'])
    }),
  ]
}

/** The confidence level (percent) a band SLO of the spec judges. */
function bandLevel(name: string): number {
  const slo = feecastSloSpec.slos.find((s) => s.name === name)
  // The spec is this program's own constant: a missing band is a bug caught by every test that loads this.
  if (slo?.kind !== 'band') throw new TypeError(`the SLO spec has no band objective named ${name}`)
  return slo.nominal
}

const baseFeeLevel = bandLevel('prediction-calibration')
const blobLevel = bandLevel('blob-fee-calibration')

async function readChainBody(
  entry: FeedEntry,
  store: StoreClient | undefined,
  recentBlocks: number,
  backtest: PageChainBody['backtest'],
): Promise<PageChainBody> {
  const chainId = entry.prediction.chainId
  const [records, state] = store
    ? await Promise.all([
        readLatestBlocks(store, { chainId, count: recentBlocks }),
        readCalibrationState(store, { chainId }),
      ])
    : [[], null]
  return {
    chainId,
    recentBaseFees: recentBaseFees(records.filter((r) => r.number <= entry.prediction.blockNumber)),
    reliability: ((calibration) => (calibration ? reliabilityPoints(calibration) : []))(
      baseFeeCalibration(state),
    ),
    backtest,
  }
}

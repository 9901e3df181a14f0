/** What the live page reads beside /predict (GET /page/chains/{chainId} and GET /page/objectives). */
export type PageChainBody = {
  chainId: number
  /** Stored base fees of the last blocks, ascending (gwei). */
  recentBaseFees: Array<{ blockNumber: number; baseFeeGwei: number }>
  /** Live calibration scores: a point per (confidence, horizon). */
  reliability: Array<{
    confidence: number
    withinBlocks: number
    scored: number
    covered: number
    coverage: number | null
    interval: [number, number] | null
  }>
  /** The shipped model's backtest (promised → realised, percent), when models/ holds it. */
  backtest: Array<{ confidence: number; withinBlocks: number; coverage: number }> | null
}

export type ObjectivesBody = {
  /** When this process started (ISO 8601): the objectives as seen since then. */
  since: string
  objectives: Array<{
    name: string
    title: string
    target: string
    seen: string
    met: boolean | null
    /** Its 30-day view in Grafana, when GRAFANA_URL is set. */
    grafana?: string
  }>
}

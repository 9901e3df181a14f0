/**
 * The live page's document: the fees per chain (filled by /page.js), the objectives as this process has
 * seen them, and a link to the 30-day view in Grafana. Works without Prometheus or Grafana; without
 * JavaScript it says where the JSON is.
 */
export type PageHtmlParameters = {
  /** Where the Grafana board for the 30-day view lives (GRAFANA_URL), when configured. */
  grafanaUrl?: string | undefined
}

const style = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #d5d5d5; --blue: #0b4f9c; --bad: #a30000; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; color: var(--ink); background: #fafafa; }
header, main, footer { max-width: 980px; margin: 0 auto; padding: 12px 14px; }
h1 { font-size: 1.5rem; margin: 0.2em 0; }
h2 { font-size: 1.25rem; margin: 0 0 0.3em; }
h3 { font-size: 1rem; margin: 1em 0 0.3em; }
a { color: var(--blue); }
.muted { color: var(--muted); font-weight: normal; }
.chain { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; margin: 0 0 16px; }
.chain.stale { border: 2px solid var(--bad); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.85rem; border: 1px solid var(--line); }
.badge.stale { background: var(--bad); color: #fff; border-color: var(--bad); }
.badge.fresh { background: #e5f3e5; color: #0d5c0d; }
.trust-low { background: #fdecc8; color: #6b4500; }
.trust-medium { background: #e8eef8; color: #203f6b; }
.trust-high { background: #e5f3e5; color: #0d5c0d; }
.reasons { margin: 0.3em 0; padding-left: 1.2em; color: var(--muted); font-size: 0.9rem; }
/* Wide enough for five columns (with blobs), and a gutter: a horizon's last column ran into the next's first. */
.tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 360px), 1fr)); gap: 10px 28px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 2px 0; }
th, td { padding: 3px 6px; border-bottom: 1px solid var(--line); text-align: right; }
th[scope="row"], thead th:first-child { text-align: left; }
.chart { width: 100%; max-width: 520px; height: auto; display: block; background: #fff; }
.reliability { max-width: 340px; }
#objectives-table td, #objectives-table th { text-align: left; }
.verdict-met { color: #0d5c0d; }
.verdict-missed { color: var(--bad); font-weight: 600; }
`

export function pageHtml({ grafanaUrl }: PageHtmlParameters = {}): string {
  // With GRAFANA_URL, each objective's row links to its 30-day view (a fourth column).
  const grafana = grafanaUrl
    ? 'each objective links to its 30-day view in Grafana'
    : 'the 30-day view is in Grafana (dashboards/; GRAFANA_URL links it here)'
  const grafanaColumn = grafanaUrl ? '<th scope="col">30 days</th>' : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>feecast: fees to sign now, and how often they land</title>
<style>${style}</style>
<script src="/page.js" defer></script>
</head>
<body>
<header>
<h1>feecast</h1>
<p class="muted">Fees for a transaction to get in within N blocks with probability p, and, live, how often that promise is kept.</p>
</header>
<main>
<p id="status" role="status" aria-live="polite">Loading…</p>
<noscript><p>This page draws with JavaScript. The same numbers are at <a href="/chains">/chains</a> (the chains served) and <code>/predict?chainId=N</code>.</p></noscript>
<div id="chains"></div>
<section aria-labelledby="objectives-title" class="chain">
<h2 id="objectives-title">Objectives, as this process has seen them</h2>
<p class="muted">Requests since <span id="since">start</span>; calibration since each chain's calibration started; ${grafana}. An objective is judged once its figures can tell: a calibration band when its 95 % interval lies inside or outside it.</p>
<table id="objectives-table">
<thead><tr><th scope="col">objective</th><th scope="col">target</th><th scope="col">seen</th>${grafanaColumn}</tr></thead>
<tbody id="objectives"></tbody>
</table>
</section>
</main>
<footer class="muted">JSON: <a href="/chains">/chains</a> · <span id="predict-links">/predict?chainId=N</span> · <a href="/openapi.json">/openapi.json</a></footer>
</body>
</html>
`
}

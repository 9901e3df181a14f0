import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { folderCycles, folderOf, type ImportGraph, pathToIo, readImportGraph } from './support/importGraph.js'

/**
 * Issue #12 item 3: the layers of DESIGN.md, checked on src/'s real import graph (TypeScript's parser,
 * tests excluded). A new import that makes two folders depend on each other, lets the core reach the
 * HTTP edge or Redis, or gives a pure module a way to I/O fails here, naming the imports to undo.
 */

const srcDir = fileURLToPath(new URL('../src', import.meta.url))
const graph = readImportGraph(srcDir)

/** Packages and built-ins that touch the outside world: files, sockets, processes, the terminal, logs. */
const ioPackages = new Set([
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:http2',
  'node:child_process',
  'node:dgram',
  'node:dns',
  'node:tls',
  'node:worker_threads',
  'node:readline',
  'node:os',
  'ioredis',
  'viem',
  'pino',
  'cli-progress',
  // The OpenTelemetry SDK and its exporter post spans over HTTP (src/tracing/startTracing.ts).
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/exporter-trace-otlp-http',
])
/** The edges of DESIGN.md: Redis, the RPC, the sampler's loop, the HTTP server, the CLI, the trace exporter. */
const edgeFolders = ['store', 'rpc', 'sampler', 'commands', 'api', 'cli', 'tracing']
/** Modules of src/ that do I/O themselves: the edges but api/'s pure shaping, which is core. */
const ioModules = ['api/server.ts', 'api/predictionFeed.ts', 'api/app.ts']
const isIo = (module: string) =>
  ioPackages.has(module) ||
  ioModules.includes(module) ||
  (folderOf(module) !== 'api' && edgeFolders.includes(folderOf(module)))

/** The core: the data flow's pure steps. It never imports an edge, not even a type. */
const coreFolders = ['features', 'fees', 'predict', 'model', 'backtest', 'chains', 'history']

/**
 * Pure modules: features, fee arithmetic, calibration, model maths, response shaping, the SLO
 * generators. Run-time imports only (a type cannot do I/O).
 */
const pureModules = [...graph.keys()].filter((module) =>
  [
    /^features\//,
    /^fees\//,
    /^predict\/(calibration|calibrationPrior|blobCalibration|blobCalibrationPriors|tipCalibration|maxFee|blobMaxFee|buildPrediction|buildBlobPrediction)\.ts$/,
    /^model\/(normal|quantileLoss|quantileHead|standardise|exampleWeights|examples|blobExamples|forecast|randomWalkForecaster|blobRandomWalkForecaster|blobForecaster|denseNetwork|quantileNetwork|fitLoop)\.ts$/,
    /^api\/(shapes|walletTiers|predictAnswer|blockAnswers|conditional|query|pickEstimate|schemas|httpErrors)\.ts$/,
    /^chains\/(chains|checkBlock|blobSchedule|blobSchedules|parseBlobSchedule|validateBlobSchedule|blobScheduleFromEthConfig)\.ts$/,
    /^backtest\/(walkForward|blobWalkForward|outcomeCells|baselines|blobBaselines|formatRows|reliabilitySvg)\.ts$/,
    /^history\/(historyCsv|blobColumns)\.ts$/,
    /^slo\/(spec|expand|rules|alertmanager|dashboards|runbooks|windows|prometheusConfig|promtoolOracle|promtoolScenarios|promtoolRender|generate)\.ts$/,
    /^lib\/(random|redact|withTimeout)\.ts$/,
  ].some((pattern) => pattern.test(module)),
)

describe('the checks themselves', () => {
  const sample: ImportGraph = new Map([
    ['predict/a.ts', [{ target: 'api/b.ts', typeOnly: true }]],
    ['api/b.ts', [{ target: 'store/c.ts', typeOnly: false }]],
    ['store/c.ts', [{ target: 'predict/d.ts', typeOnly: false }]],
    ['predict/d.ts', [{ target: 'fees/e.ts', typeOnly: false }]],
    ['fees/e.ts', [{ target: 'ioredis', typeOnly: false }]],
  ])

  it('finds a cycle through three folders, type imports included', () => {
    expect(folderCycles(sample)).toEqual([
      {
        folders: ['api', 'predict', 'store'],
        imports: expect.arrayContaining([
          'predict/a.ts → api/b.ts',
          'api/b.ts → store/c.ts',
          'store/c.ts → predict/d.ts',
        ]),
      },
    ])
  })

  it('finds the run-time path to I/O, and does not follow type imports', () => {
    expect(pathToIo(sample, 'predict/d.ts', (m) => m === 'ioredis')).toEqual([
      'predict/d.ts',
      'fees/e.ts',
      'ioredis',
    ])
    expect(pathToIo(sample, 'predict/a.ts', (m) => m === 'ioredis')).toBeUndefined()
  })

  it('reads the real graph: known modules and their imports are there', () => {
    expect(pureModules.length).toBeGreaterThan(60)
    expect(graph.get('store/redisServer.ts')?.map((i) => i.target)).toContain('node:child_process')
    expect(graph.get('predict/createPredictor.ts')?.some((i) => folderOf(i.target) === 'store')).toBe(true)
  })
})

describe("src/'s layers", () => {
  it('has no import cycle between folders', () => {
    expect(folderCycles(graph)).toEqual([])
  })

  it('keeps the core from importing an edge (Redis, RPC, sampler, HTTP, CLI), types included', () => {
    const backwards = [...graph].flatMap(([module, imports]) =>
      coreFolders.includes(folderOf(module))
        ? imports
            .filter(({ target }) => graph.has(target) && edgeFolders.includes(folderOf(target)))
            .map(({ target }) => `${module} → ${target}`)
        : [],
    )
    // createPredictor is the one core module that is wired to the store on purpose: it drives a chain's
    // predictions block by block and persists them through store/ actions (and traces them: tracing/).
    expect(backwards.filter((edge) => !edge.startsWith('predict/createPredictor.ts'))).toEqual([])
  })

  it('keeps pure modules away from I/O at run time', () => {
    const reaching = pureModules.flatMap((module) => {
      const path = pathToIo(graph, module, isIo)
      return path === undefined ? [] : [path.join(' → ')]
    })
    expect(reaching).toEqual([])
  })

  it('reads nothing from bench/ (the service never depends on a benchmark having run)', () => {
    const readers = [...graph.keys()].filter((module) =>
      /\b(read\w*|import)\(\s*[^)]*['"`][^'"`]*bench\//.test(readFileSync(join(srcDir, module), 'utf8')),
    )
    expect(readers).toEqual([])
  })
})

import { readFile } from 'node:fs/promises'
import type { TfBackendPreference } from '../model/tfRuntime.js'
import { CommandOptionError } from './errors.js'

/** A numeric option as commander hands it over (a string, or the caller's number), checked. */
export function numberOption(
  value: string | number | undefined,
  fallback: number,
  name: string,
  check: (n: number) => boolean,
): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || !check(n)) throw new CommandOptionError(`Invalid --${name}: ${value}`)
  return n
}

const backends: readonly TfBackendPreference[] = ['auto', 'node', 'wasm', 'cpu']

/** `--backend`: which TF.js backend to load. */
export function backendOption(value: string | undefined): TfBackendPreference {
  const backend = (value ?? 'auto') as TfBackendPreference
  if (!backends.includes(backend))
    throw new CommandOptionError(`Invalid --backend: ${backend} (auto, node, wasm or cpu)`)
  return backend
}

/**
 * `--loo FILE`: leave-one-file-out figures a benchmark saved (bench/results/*-backtest.json), for the model
 * card. Training never looks for them itself: the card carries them only when they are named.
 */
export async function readLeaveOneOutFigures<T extends { rows: unknown[] }>(path: string): Promise<T> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new CommandOptionError(`Invalid --loo: cannot read ${path} as JSON (${String(error)})`)
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { rows?: unknown }).rows))
    throw new CommandOptionError(`Invalid --loo: ${path} has no "rows" array`, {
      details:
        'Pass the JSON a leave-one-file-out benchmark saved, e.g. bench/results/predictor-backtest.json.',
    })
  return parsed as T
}

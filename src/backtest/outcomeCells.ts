/** One predictor's outcome for one confidence (null for baselines) and horizon. */
export type CellOutcome = {
  predictor: string
  source: string
  confidence: number | null
  withinBlocks: number
  samples: number
  covered: number
  /** maxFee / max base fee of the N blocks - 1, for every sample. */
  headroom: Float64Array
}

/** Coverage over every decision, priced or not (the blob walk's floor regime included). */
export type AllDecisionsOutcome = {
  predictor: string
  source: string
  confidence: number | null
  withinBlocks: number
  samples: number
  covered: number
}

/** An append-only list of numbers in one typed array (millions of headroom samples). */
class Growable {
  data = new Float64Array(1024)
  length = 0
  push(x: number) {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = x
  }
  values(): Float64Array {
    return this.data.slice(0, this.length)
  }
}

/**
 * What a walk counts for one (predictor, source, confidence, horizon): covered decisions and headroom of the
 * scored ones, and, for the blob walk, coverage over every decision beside the priced ones.
 */
export type OutcomeCell = { covered: number; headroom: Growable; samplesAll: number; coveredAll: number }

/** The cells of one walk, created on first use and read back in that order. */
export function createOutcomeCells() {
  const cells = new Map<string, OutcomeCell>()
  const parse = (key: string) => {
    const [predictor = '', source = '', confidence, n] = key.split('|')
    return {
      predictor,
      source,
      confidence: confidence === 'null' ? null : Number(confidence),
      withinBlocks: Number(n),
    }
  }
  return {
    cell(predictor: string, source: string, confidence: number | null, n: number): OutcomeCell {
      const key = `${predictor}|${source}|${confidence}|${n}`
      let c = cells.get(key)
      if (!c) {
        c = { covered: 0, headroom: new Growable(), samplesAll: 0, coveredAll: 0 }
        cells.set(key, c)
      }
      return c
    },
    outcomes(): CellOutcome[] {
      return [...cells].map(([key, c]) => {
        const headroom = c.headroom.values()
        return { ...parse(key), samples: headroom.length, covered: c.covered, headroom }
      })
    },
    allDecisions(): AllDecisionsOutcome[] {
      return [...cells].map(([key, c]) => ({ ...parse(key), samples: c.samplesAll, covered: c.coveredAll }))
    },
  }
}

export type OutcomeCells = ReturnType<typeof createOutcomeCells>

import cliProgress from 'cli-progress'

export type Progress = {
  update(done: number, total: number, text?: string): void
  log(line: string): void
  stop(): void
}

/**
 * Progress on stderr (stdout stays clean for --json): a bar on a terminal, otherwise a line every ten
 * percent, so CI logs show it too.
 */
export function createProgress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} [{bar}] {percentage}% {text}`, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    )
    let started = false
    return {
      update(done, total, text = '') {
        if (!started) {
          bar.start(total, 0, { text })
          started = true
        }
        bar.setTotal(total)
        bar.update(done, { text })
      },
      log(line) {
        if (started) bar.stop()
        stream.write(`${line}\n`)
        started = false
      },
      stop() {
        if (started) bar.stop()
        started = false
      },
    }
  }
  let lastTenth = -1
  return {
    update(done, total, text = '') {
      const tenth = Math.floor((10 * done) / Math.max(1, total))
      if (tenth !== lastTenth) {
        lastTenth = tenth
        stream.write(`${label} ${Math.round((100 * done) / Math.max(1, total))}% ${text}\n`)
      }
    },
    log(line) {
      stream.write(`${line}\n`)
    },
    stop() {},
  }
}

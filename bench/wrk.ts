import { spawn } from 'node:child_process'

/**
 * `wrk`, the C load generator (Debian package wrk): one run against a URL, with its own CPU time, so a
 * saturated client shows (a Node client such as autocannon saturates near 30k requests/s on 2 cores
 * and hides the server).
 */

export type WrkParameters = {
  url: string
  durationSeconds: number
  connections: number
  threads?: number
  headers?: Record<string, string>
  /** Runs wrk on this CPU only (taskset), so it never shares a core with the server it loads. */
  cpu?: number | undefined
}

export type WrkResult = {
  requests: number
  requestsPerSecond: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  /** Non-2xx/3xx answers and socket errors wrk counted. */
  non2xx3xx: number
  socketErrors: number
  /** wrk's own CPU time (user + system) over the run, in cores (1 = one core busy all the time). */
  clientCores: number
}

const toMs = (value: string, unit: string) =>
  Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? Number.NaN)

/** Runs wrk and parses its report (`--latency`); wrk's CPU comes from the shell's `times`. */
export function runWrk({
  url,
  durationSeconds,
  connections,
  threads = 1,
  headers = {},
  cpu,
}: WrkParameters): Promise<WrkResult> {
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${durationSeconds}s`, '--latency']
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`)
  const quoted = [...args, url].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  return new Promise((resolve, reject) => {
    const pin = cpu === undefined ? '' : `taskset -c ${cpu} `
    const child = spawn('bash', ['-c', `${pin}wrk ${quoted}; status=$?; times; exit $status`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${out}`))
      const requests = Number(/(\d+) requests in/.exec(out)?.[1])
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
      const latency = (pct: string) => {
        const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(out)
        return m ? Math.round(toMs(m[1]!, m[2]!) * 1000) / 1000 : Number.NaN
      }
      const max = /Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/.exec(out)
      const non = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0)
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
      // `times` prints the shell's user/system time, then its children's (wrk): "0m1.234s 0m0.567s".
      const lines = out.trim().split('\n')
      const childTimes = lines[lines.length - 1]!.match(/(\d+)m([\d.]+)s/g) ?? []
      const cpuSeconds = childTimes
        .map((t) => {
          const [, m, s] = /(\d+)m([\d.]+)s/.exec(t)!
          return Number(m) * 60 + Number(s)
        })
        .reduce((a, b) => a + b, 0)
      resolve({
        requests,
        requestsPerSecond: rps,
        p50Ms: latency('50'),
        p90Ms: latency('90'),
        p99Ms: latency('99'),
        maxMs: max ? toMs(max[1]!, max[2]!) : Number.NaN,
        non2xx3xx: non,
        socketErrors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
        clientCores: Math.round((cpuSeconds / durationSeconds) * 100) / 100,
      })
    })
  })
}

// The part of autocannon's API bench/api.ts uses (the package ships no types).
declare module 'autocannon' {
  type Histogram = {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    p99_9: number
  }
  export type Options = {
    url: string
    connections?: number
    duration?: number
    amount?: number
    pipelining?: number
    workers?: number
    timeout?: number
    headers?: Record<string, string>
  }
  export type Result = {
    requests: Histogram & { sent: number }
    latency: Histogram
    throughput: Histogram
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}

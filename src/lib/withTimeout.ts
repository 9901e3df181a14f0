/**
 * `promise`, or a rejection with `onTimeout()` when it has not settled within `ms`. The promise itself
 * is not cancelled (nothing generic can be): callers use it where a late answer is harmless, e.g. a
 * Redis call that ioredis would otherwise queue for as long as Redis is away.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

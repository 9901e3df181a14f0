import type { StoreClient, StoreScript } from './scripts.js'

export type ReplicatedScriptParameters = {
  /** Replicas that must have the write before it counts (0: no wait). */
  replicas: number
  /** Longest wait for them (ms). */
  waitMs: number
}

export type ReplicatedScriptReturnType = {
  result: unknown
  /**
   * The write reached `replicas` replicas, or every replica the primary has when it has fewer (a primary
   * left alone after a failover has no replica to wait for); always true when replicas is 0.
   */
  replicated: boolean
  /** Replicas that acknowledged it (WAIT's answer). */
  acknowledged: number
}

/**
 * Runs a script, then WAIT for replicas to have it, then ROLE (the primary's replicas): one pipeline, so
 * on a Cluster all three go to the node of the keys' slot. Redis replication is asynchronous: a write the
 * primary acknowledged is lost when it dies before a replica got it; waiting makes the write survive a
 * failover to that replica.
 */
export async function runReplicatedScript(
  redis: StoreClient,
  { source }: StoreScript,
  keys: readonly string[],
  args: readonly (string | number)[],
  { replicas, waitMs }: ReplicatedScriptParameters,
): Promise<ReplicatedScriptReturnType> {
  if (replicas <= 0) {
    const result = await redis.eval(source, keys.length, ...keys, ...args)
    return { result, replicated: true, acknowledged: 0 }
  }
  const replies = await redis
    .pipeline()
    .eval(source, keys.length, ...keys, ...args)
    .wait(replicas, Math.max(1, Math.ceil(waitMs)))
    .role()
    .exec()
  const [scriptReply, waitReply, roleReply] = replies ?? []
  if (!scriptReply) throw new Error('Redis answered no reply to the script')
  if (scriptReply[0]) throw scriptReply[0]
  const acknowledged = waitReply && !waitReply[0] ? Number(waitReply[1]) : 0
  const role = roleReply && !roleReply[0] ? (roleReply[1] as unknown[]) : []
  const attached = Array.isArray(role[2]) ? role[2].length : replicas
  return {
    result: scriptReply[1],
    replicated: acknowledged >= Math.min(replicas, attached),
    acknowledged,
  }
}

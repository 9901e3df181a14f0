import type { Hex } from 'viem'
import type { Logger } from '../lib/logger.js'
import { RpcEndpointError } from '../rpc/errors.js'
import type { HeadNotification, WebSocketEndpoint } from '../rpc/webSocketEndpoint.js'
import {
  type HeadPace,
  type HeadRate,
  isFlood,
  maxHeadsPerBlock,
  noPace,
  paceAfterHead,
  rateAfterHead,
  stallAfterMs as stallAfterMsOf,
} from './headPace.js'
import { jitteredDelay } from './jitteredDelay.js'

export type NotifiedHead = { number: number; hash: Hex }

export type CreateHeadSubscriptionParameters = {
  /** The chain's WebSocket endpoints, in order of preference. */
  sockets: readonly WebSocketEndpoint[]
  logger: Logger
  /** The chain profile's block time (ms): the pace before heads measure it, and the floor of the stall. */
  blockTimeMs: number
  /**
   * The highest block the sampler has stored (null before any): a notified head far past it does not count
   * toward the block time, since the endpoint alone vouches for it.
   */
  storedHead(): number | null
  /** A live subscription that brings no head for this many expected block times is stalled (default 3). */
  stallBlocks?: number
  /** Longest wait for the node to accept eth_subscribe (ms). */
  timeoutMs: number
  /** Back-off between attempts after a failure: full jitter up to min(max, base·2^n) (defaults 250, 30000). */
  backoffBaseMs?: number
  backoffMaxMs?: number
  /**
   * Live on a fallback endpoint, the first-choice one is tried again this often (default 60000 ms); once it
   * accepts the subscription the sampler follows it and drops the fallback's.
   */
  preferredRetryMs?: number
  onHead(head: NotifiedHead): void
  /** The subscription went live, or ended (the sampler polls meanwhile). */
  onChange(change: { live: boolean; endpoint: string; reason: string }): void
  /** ms clock (tests) */
  now?: () => number
}

export type HeadSubscription = {
  start(): void
  stop(): void
  /** A subscription is accepted and heads keep coming. */
  readonly live: boolean
  /** How long a live subscription may go without a head before it counts as stalled (ms). */
  stallAfterMs(): number
}

/**
 * The sampler's subscription to new heads over its WebSocket endpoints, as a small state machine:
 * connecting → live (eth_subscribe accepted) → down (the socket closed, failed, sent garbage, an invalid
 * head or a flood of heads, or stalled: no head within `stallBlocks` expected block times, never fewer than
 * two of the profile's; see headPace.ts) → connecting again after
 * a jittered back-off, on the next WebSocket endpoint. An endpoint that refuses the subscription (method
 * not supported) is tried again only after the longest back-off. While it is not live the sampler polls.
 * Live on a fallback, it tries the first-choice endpoint again now and then, and moves back once that one
 * accepts (the fallback's subscription goes on until then, so no head is missed).
 * (Long as a whole: its short inner functions share the state of the one subscription.)
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one closure owns the subscription's state (attempt, stall timer, arrivals); its steps (attempt, onHead, down, armStall) are short named functions inside it
export function createHeadSubscription({
  sockets,
  logger,
  blockTimeMs,
  storedHead,
  stallBlocks = 3,
  timeoutMs,
  backoffBaseMs = 250,
  backoffMaxMs = 30_000,
  preferredRetryMs = 60_000,
  onHead,
  onChange,
  now = Date.now,
}: CreateHeadSubscriptionParameters): HeadSubscription {
  let stopped = true
  let live = false
  let failures = 0
  let next = 0
  /** The subscription whose heads count (attempts and probes of the first choice draw from one counter). */
  let attemptId = 0
  let ids = 0
  let retryTimer: NodeJS.Timeout | undefined
  let preferTimer: NodeJS.Timeout | undefined
  let stallTimer: NodeJS.Timeout | undefined
  let unsubscribe: (() => void) | undefined
  /**
   * The chain's pace, kept across attempts: a chain slower than its profile is measured over a stall or two
   * (each attempt alone would see one head before the stall). Only heads the stored head vouches for count.
   */
  let pace: HeadPace = noPace
  /** Notifications on the subscription whose heads count (`rate.id`), per profile block time. */
  let rate: (HeadRate & { id: number }) | null = null

  const stallAfterMs = () => stallAfterMsOf(pace, { blockTimeMs, stallBlocks })

  const armStall = (socket: WebSocketEndpoint) => {
    clearTimeout(stallTimer)
    const ms = stallAfterMs()
    stallTimer = setTimeout(() => socket.drop(`no head within ${ms} ms`), ms)
  }

  const down = (id: number, socket: WebSocketEndpoint, reason: string, giveUp = false) => {
    if (id !== attemptId || stopped) return
    attemptId = ++ids
    clearTimeout(stallTimer)
    clearTimeout(preferTimer)
    unsubscribe = undefined
    if (live) {
      live = false
      logger.warn({ endpoint: socket.label, reason }, 'new-head subscription lost: polling until it is back')
      onChange({ live: false, endpoint: socket.label, reason })
    } else logger.info({ endpoint: socket.label, reason }, 'new-head subscription failed: polling')
    failures = giveUp ? Math.max(failures, 32) : failures + 1
    next++
    retryTimer = setTimeout(attempt, jitteredDelay(failures, backoffBaseMs, backoffMaxMs))
  }

  const received = (id: number, socket: WebSocketEndpoint, header: HeadNotification) => {
    if (id !== attemptId) return
    const at = now()
    rate = { id, ...rateAfterHead(rate?.id === id ? rate : null, at, blockTimeMs) }
    if (isFlood(rate)) {
      socket.drop(`a flood of heads (over ${maxHeadsPerBlock} within one block time of ${blockTimeMs} ms)`)
      return
    }
    const head = checkedHead(header)
    if (typeof head === 'string') {
      socket.drop(`an invalid head (${head})`)
      return
    }
    pace = paceAfterHead(pace, head.number, at, storedHead())
    failures = 0
    armStall(socket)
    onHead(head)
  }

  const attempt = () => {
    if (stopped) return
    const socket = sockets[next % sockets.length]
    if (!socket) return
    const id = ++ids
    attemptId = id
    socket
      .subscribeNewHeads(
        { onHead: (header) => received(id, socket, header), onEnd: (reason) => down(id, socket, reason) },
        timeoutMs,
      )
      .then(
        (end) => {
          if (id !== attemptId || stopped) return end()
          unsubscribe = end
          live = true
          armStall(socket)
          logger.info({ endpoint: socket.label }, 'following new heads over WebSocket')
          onChange({ live: true, endpoint: socket.label, reason: 'subscribed' })
          preferFirst(id, socket)
        },
        (error: unknown) => {
          const refused = error instanceof RpcEndpointError && error.kind === 'rpc'
          const reason = error instanceof Error ? error.message : String(error)
          down(id, socket, refused ? `the endpoint refused eth_subscribe: ${reason}` : reason, refused)
        },
      )
  }

  /** Live on a fallback: in a while, subscribe on the first choice beside it, and move over once it accepts. */
  const preferFirst = (id: number, socket: WebSocketEndpoint) => {
    const first = sockets[0]
    if (!first || socket === first) return
    clearTimeout(preferTimer)
    preferTimer = setTimeout(() => probeFirst(id, socket, first), preferredRetryMs)
  }

  const probeFirst = (id: number, fallback: WebSocketEndpoint, first: WebSocketEndpoint) => {
    if (stopped || id !== attemptId) return
    const probeId = ++ids
    first
      .subscribeNewHeads(
        {
          onHead: (header) => received(probeId, first, header),
          onEnd: (reason) => down(probeId, first, reason),
        },
        timeoutMs,
      )
      .then(
        (end) => {
          // The fallback went down meanwhile (its retry is under way) or the sampler stopped: not needed.
          if (stopped || id !== attemptId) return end()
          const endFallback = unsubscribe
          attemptId = probeId
          unsubscribe = end
          next = 0
          endFallback?.()
          armStall(first)
          logger.info(
            { endpoint: first.label, from: fallback.label },
            'back on the first-choice WebSocket endpoint',
          )
          onChange({ live: false, endpoint: fallback.label, reason: 'the first-choice endpoint is back' })
          onChange({ live: true, endpoint: first.label, reason: 'subscribed' })
        },
        () => preferFirst(id, fallback),
      )
  }

  return {
    start() {
      if (!stopped || sockets.length === 0) return
      stopped = false
      attempt()
    },
    stop() {
      stopped = true
      attemptId = ++ids
      clearTimeout(retryTimer)
      clearTimeout(stallTimer)
      clearTimeout(preferTimer)
      unsubscribe?.()
      unsubscribe = undefined
      live = false
    },
    get live() {
      return live
    },
    stallAfterMs,
  }
}

/** The number and hash of a notified header, or what is wrong with it (a hostile endpoint's). */
function checkedHead(header: HeadNotification): NotifiedHead | string {
  const { number, hash } = header
  if (typeof number !== 'string' || !/^0x(0|[1-9a-f][0-9a-f]{0,13})$/i.test(number)) return 'bad number'
  if (typeof hash !== 'string' || !/^0x[0-9a-f]{64}$/i.test(hash)) return 'bad hash'
  const n = Number.parseInt(number.slice(2), 16)
  if (!Number.isSafeInteger(n)) return 'bad number'
  return { number: n, hash: hash as Hex }
}

/**
 * The devchain of bench/headToAnswer.ts, in a process of its own: blocks every `blockTime` seconds on its
 * own clock, served over HTTP and WebSocket on one port. Reports its URLs and every block's `producedAt`
 * (Date.now() when the block became visible over RPC; the same clock as the parent's) over IPC.
 */
import { startDevchain } from '../src/devchain/startDevchain.js'

const blockTime = Number(process.argv[2] ?? 1)
const devchain = await startDevchain({ history: 512, blockTime, seed: 7 })
devchain.onBlock((block) =>
  process.send?.({ type: 'block', number: block.number, producedAt: block.producedAt }),
)
process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') void devchain.stop().then(() => process.exit(0))
})
process.send?.({
  type: 'ready',
  url: devchain.url,
  wsUrl: devchain.wsUrl,
  chainId: devchain.chainId,
  head: devchain.head(),
})

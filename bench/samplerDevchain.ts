/**
 * The devchain of bench/sampler.ts, in a process of its own so that serving JSON-RPC does not share the
 * sampler's event loop. Reports its URL and every block's `producedAt` (Date.now() when the block became
 * visible over RPC; the same clock as the parent's) over IPC; mines when asked.
 */
import { startDevchain } from '../src/devchain/startDevchain.js'

const history = Number(process.argv[2] ?? 4096)
const devchain = await startDevchain({ history, retainBlocks: history * 2 + 1024, autoMine: false, seed: 7 })
devchain.onBlock((block) =>
  process.send?.({ type: 'block', number: block.number, producedAt: block.producedAt }),
)
process.on('message', (message: { type: string }) => {
  if (message.type === 'mine') devchain.mine(1)
  if (message.type === 'stop') void devchain.stop().then(() => process.exit(0))
})
process.send?.({ type: 'ready', url: devchain.url, chainId: devchain.chainId, head: devchain.head() })

import { createRequire } from 'node:module'
import { Command, CommanderError } from 'commander'
import { CommandOptionError } from './commands/errors.js'
import { FeecastError } from './errors.js'

/**
 * feecast's command line. Each command lives in its own module, loaded only when it runs, so
 * `feecast devchain` does not pay for TensorFlow and `feecast start` does not pay for training code.
 */
const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

// Usage errors (a missing or unknown option) exit 2, as bad settings do: 1 is a command's own answer
// (forget-chain without --yes deleted nothing, as asked), which a script must tell apart from a typo.
const program = new Command('feecast')
  .description('Gas-fee predictions with calibrated inclusion probabilities')
  .version(version, '-V, --version', "feecast's version")
  .showHelpAfterError()
  .exitOverride()

program
  .command('start', { isDefault: true })
  .description(
    'run the service: on the embedded devchain and a private Redis unless RPC_URL_<chainId> / REDIS_URL are set',
  )
  .action(async () => {
    const { runStart } = await import('./commands/startCommand.js')
    await runStart()
  })

program
  .command('devchain')
  .description('a local JSON-RPC chain that simulates EIP-1559 demand or replays a history file')
  .option('--port <port>', 'port to listen on', '8545')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--replay <file>', 'replay this block history CSV')
  .option('--simulate', 'simulate demand with bursts and calm spells (the default)')
  .option(
    '--speed <x>',
    'replay speed: blocks are produced this many times faster than their timestamps',
    '1',
  )
  .option(
    '--block-time <seconds>',
    'seconds between blocks when simulating (default: the chain profile block time, 2 for the devchain), or between synthesized timestamps when replaying a file without them (default 12)',
  )
  .option(
    '--chain-id <id>',
    "chain id to report; its built-in blob schedule applies (1337, the devchain: mainnet's newest blob parameters; 1: mainnet's forks)",
    '1337',
  )
  .option(
    '--blob-schedule <file>',
    "blob forks of the chain (JSON; overrides the chain id's built-in schedule): simulated blob gas, eth_config and eth_blobBaseFee follow it",
  )
  .option('--seed <n>', 'random seed of the simulation (and of what a replay synthesizes)', '1')
  .option(
    '--history <n>',
    "blocks of history to create before the first live block; with --replay, rows of the file served at start ('all': the whole file)",
    '256',
  )
  .option(
    '--gas-limit <gas>',
    'block gas limit when simulating, or for replayed rows without one (default 30000000)',
  )
  .action(async (options) => {
    const { runDevchainCommand } = await import('./commands/devchainCommand.js')
    await runDevchainCommand(options)
  })

program
  .command('collect')
  .description('write a block history CSV from any JSON-RPC endpoint')
  .requiredOption('--rpc <url>', 'JSON-RPC endpoint (never printed unredacted)')
  .requiredOption('--from <block>', 'first block number')
  .requiredOption('--to <block>', 'last block number (inclusive)')
  .requiredOption('--out <file>', 'output CSV path')
  .option('--concurrency <n>', 'parallel requests', '4')
  .option('--retries <n>', 'retries of a failed request, with jittered backoff', '3')
  .option('--timeout <ms>', 'timeout of one request (ms)', '10000')
  .action(async (options) => {
    const { runCollectCommand } = await import('./commands/collectCommand.js')
    await runCollectCommand(options)
  })

program
  .command('forget-chain')
  .description(
    "delete one chain's stored history (blocks, features, predictions, calibration, health) from the Redis `feecast start` uses, for a chain that was reset (a devnet restarted, a regenesis) and is now refused as a reorg too deep; its sampler backfills it from the node",
  )
  .requiredOption('--chain-id <id>', 'the chain whose stored history is deleted (no other chain is touched)')
  .option('--yes', 'delete: without it, says what would be deleted and deletes nothing (exit 1)')
  .action(async (options) => {
    const { runForgetChainCommand } = await import('./commands/forgetChainCommand.js')
    await runForgetChainCommand(options)
  })

program
  .command('train')
  .description(
    'train a fee model (the base-fee model, or with --fee blob the blob-fee model) from block history files and write it with its model card',
  )
  .requiredOption('--data <csv...>', 'block history CSV files')
  .requiredOption('--out <dir>', 'output directory, e.g. models/basefee or models/blobfee')
  .option('--fee <kind>', 'which fee: basefee or blob', 'basefee')
  .option('--epochs <n>', 'maximum epochs (the best validation epoch is kept; default 30, blob 6)')
  .option('--horizon <blocks>', 'longest horizon K the model predicts (>= 20)', '20')
  .option('--validation <share>', 'share of each file, at its end, held out for validation', '0.15')
  .option('--seed <n>', 'random seed', '1')
  .option('--chain-id <id>', 'blob: chain whose built-in blob schedule the files follow (default 1, mainnet)')
  .option('--blob-schedule <file>', 'blob: the blob schedule the files follow (JSON; overrides --chain-id)')
  .option('--stride <blocks>', 'blob: one training example every this many blocks', '5')
  .option(
    '--loo <file>',
    'leave-one-file-out figures for the model card (bench/results/predictor-backtest.json, or blob-backtest.json with --fee blob)',
  )
  .option(
    '--backend <name>',
    'TF.js backend: auto (tfjs-node if installed, else wasm), node, wasm or cpu',
    'auto',
  )
  .action(async (options) => {
    if (options.fee === 'blob') {
      const { runTrainBlobCommand } = await import('./commands/trainBlobCommand.js')
      await runTrainBlobCommand(options)
      return
    }
    if (options.fee !== 'basefee')
      throw new CommandOptionError(`Invalid --fee: ${options.fee} (basefee or blob)`)
    const { runTrainCommand } = await import('./commands/trainCommand.js')
    await runTrainCommand({ ...options, epochs: options.epochs ?? '30' })
  })

program
  .command('backtest')
  .description(
    'walk-forward backtest of maxFee coverage and headroom against viem, ethers and MetaMask (with --fee blob: maxFeePerBlobGas against blob-1x and blob-2x)',
  )
  .requiredOption('--data <csv...>', 'block history CSV files')
  .option('--fee <kind>', 'which fee: basefee or blob', 'basefee')
  .option('--json', 'print only { "rows": [...] } on stdout')
  .option('--model <dir>', 'model directory (default: the shipped models/basefee, or models/blobfee)')
  .option('--chain-id <id>', 'chain whose EIP-1559 parameters (and blob schedule) the files follow', '1')
  .option('--blob-schedule <file>', 'blob: the blob schedule the files follow (JSON; overrides --chain-id)')
  .action(async (options) => {
    if (options.fee === 'blob') {
      const { runBacktestBlobCommand } = await import('./commands/backtestBlobCommand.js')
      await runBacktestBlobCommand(options)
      return
    }
    if (options.fee !== 'basefee')
      throw new CommandOptionError(`Invalid --fee: ${options.fee} (basefee or blob)`)
    const { runBacktestCommand } = await import('./commands/backtestCommand.js')
    await runBacktestCommand(options)
  })

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2)
  if (error instanceof FeecastError) {
    process.stderr.write(`feecast: ${error.message}\n`)
    process.exit(2)
  }
  throw error
}

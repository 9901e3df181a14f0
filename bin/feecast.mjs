#!/usr/bin/env node
// The feecast command: the compiled service in dist/. It never installs or builds anything (a checkout's
// `npm start` does that first, scripts/start.mjs); without a build it says what to run.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('feecast: not built (dist/cli.js is missing): run `npm run build` first, or `npm start` in a checkout\n')
  process.exit(2)
}
await import(cli.href)

#!/usr/bin/env node
// Installs the real client libraries the compatibility tests drive (test/compat/): ethers v6,
// @web3-onboard/gas and MetaMask's gas-fee-controller. They live in their own small project so their
// dependency trees never touch the service's lockfile.
//
// @metamask/gas-fee-controller 26.3.1 cannot be installed whole from this registry (its controller
// dependencies @metamask/messenger@^2 and @metamask/network-controller's own are missing), and the
// tests use only its gas-util module (fetchGasEstimates, calculateTimeEstimate), which needs nothing but
// @metamask/controller-utils and bn.js. So the published tarball is fetched with `npm pack` (npm checks
// its integrity against the registry) and unpacked beside them, without its controller dependencies.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const compat = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'compat')
const gasFeeController = { name: '@metamask/gas-fee-controller', version: '26.3.1' }
const say = (line) => process.stderr.write(`feecast compat clients: ${line}\n`)

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0)
if (mtime(join(compat, 'node_modules/.package-lock.json')) < mtime(join(compat, 'package-lock.json'))) {
  say('npm ci in test/compat')
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: compat, stdio: 'inherit' })
}

const target = join(compat, 'node_modules', gasFeeController.name)
const installed = existsSync(join(target, 'package.json'))
  ? JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')).version
  : undefined
if (installed !== gasFeeController.version) {
  say(`unpacking ${gasFeeController.name}@${gasFeeController.version} (gas-util only; see this script)`)
  const work = mkdtempSync(join(tmpdir(), 'feecast-compat-'))
  try {
    const spec = `${gasFeeController.name}@${gasFeeController.version}`
    const packed = execFileSync('npm', ['pack', spec, '--pack-destination', work, '--silent'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()
    rmSync(target, { recursive: true, force: true })
    mkdirSync(target, { recursive: true })
    execFileSync('tar', ['xzf', join(work, packed), '-C', target, '--strip-components=1'])
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

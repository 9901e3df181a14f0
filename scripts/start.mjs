#!/usr/bin/env node
// `npm start` in a checkout: brings what the service needs, then runs `feecast start`.
//
//  1. npm packages: `npm ci` when node_modules does not hold what the lockfile locks;
//  2. the build: `npm run build` when dist/ is missing or was built from other sources;
//  3. redis-server, when the embedded Redis will run (no REDIS_URL): installed from apt when this runs
//     as root on Debian; elsewhere one line with the exact command, and exit 2.
//
// Only a checkout's `npm start` does this: `bin/feecast` and the image never install anything.
// FEECAST_SETUP=off skips the set-up (it then only runs the service). Plain Node, no dependency: it runs
// before node_modules exists.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { buildUpToDate, packagesUpToDate } from './installState.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const say = (line) => process.stderr.write(`feecast: ${line}\n`)
const fail = (line) => {
  say(line)
  process.exit(2)
}

const major = Number(process.versions.node.split('.')[0])
if (major < 20) fail(`Node.js 20 or later is required (this is ${process.version}): https://nodejs.org`)

const setupOff = ['off', '0', 'false', 'no'].includes((process.env.FEECAST_SETUP ?? '').toLowerCase())
if (!setupOff) {
  installPackages()
  build()
  await ensureRedisServer()
}

// Run the service in this process, as `feecast start` with the arguments given to `npm start -- ...`.
process.argv = [process.argv[0], join(root, 'bin/feecast.mjs'), 'start', ...process.argv.slice(2)]
await import(pathToFileURL(join(root, 'bin/feecast.mjs')).href)

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
  if (result.error?.code === 'ENOENT') fail(`${what} failed: ${command} was not found on PATH`)
  if (result.status !== 0)
    fail(
      `${what} failed (${command} ${args.join(' ')} exited with ${result.status ?? result.signal}); see above`,
    )
}

function installPackages() {
  if (packagesUpToDate(root)) return
  say('installing npm packages (npm ci); FEECAST_SETUP=off skips this set-up')
  run('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci')
}

function build() {
  if (buildUpToDate(root)) return
  const built = existsSync(join(root, 'dist/cli.js'))
  say(built ? 'sources changed since the last build: building (npm run build)' : 'building (npm run build)')
  run('npm', ['run', '--silent', 'build'], 'the build')
}

/** redis-server is needed only for the embedded Redis; the service's own config decides that. */
async function ensureRedisServer() {
  let config
  try {
    const { loadConfig } = await import(pathToFileURL(join(root, 'dist/config.js')).href)
    config = loadConfig()
  } catch {
    return // a bad setting: `feecast start` names it
  }
  if (config.redisUrl !== undefined || !config.embeddedRedis) return
  if (onPath('redis-server')) return
  const debian = existsSync('/etc/debian_version') && (existsSync('/usr/bin/apt-get') || onPath('apt-get'))
  const root_ = typeof process.getuid === 'function' && process.getuid() === 0
  if (debian && root_) {
    say('redis-server is missing: installing it from apt (apt-get install redis-server)')
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
        stdio: 'inherit',
        env,
      })
    if (install().status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
      if (install().status !== 0)
        fail('apt-get could not install redis-server; install it, or set REDIS_URL to a Redis')
    }
    if (onPath('redis-server')) return
  }
  const command = debian
    ? 'sudo apt-get install redis-server'
    : process.platform === 'darwin'
      ? 'brew install redis'
      : 'install redis-server (https://redis.io/docs/latest/operate/oss_and_stack/install/)'
  fail(
    `redis-server is not installed: run \`${command}\` and start again, or set REDIS_URL to an existing Redis`,
  )
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

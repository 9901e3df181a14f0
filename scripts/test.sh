#!/usr/bin/env bash
# The test command of the README (`npm test`). On a fresh Debian machine it brings what the tests need:
# npm packages (`npm ci`), the real servers and tools the integration tests run (from apt), the real
# client libraries of the compatibility tests (test/compat), and the build. Elsewhere it says exactly
# what is missing and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'feecast test: %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "Node.js >= 20 is required (found $(node --version))."
  exit 1
fi

if ! node --input-type=module -e "import { packagesUpToDate } from './scripts/installState.mjs'; process.exit(packagesUpToDate('.') ? 0 : 1)"; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

# Debian packages the tests run for real: command -> package.
declare -A needed=(
  [redis-server]=redis-server [redis-sentinel]=redis-sentinel
  # The SLO tests run the real Prometheus tools and Debian's docker-compose (config check only).
  [prometheus]=prometheus [promtool]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager [amtool]=prometheus-alertmanager
  [docker-compose]=docker-compose
  # Pages are tested in a real headless browser; wrk is the load generator of the benchmarks.
  [chromium]=chromium [wrk]=wrk
)
missing=()
for cmd in "${!needed[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${needed[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing from apt: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing: ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run again."
    exit 1
  fi
fi
# The Debian package starts a system redis on 6379; the tests run their own on free ports and do not need it.

say "compatibility clients (test/compat)"
node scripts/install-compat-clients.mjs

say "build (dist/ and packages/client/dist/)"
npm run --silent build

say "type check"
npx tsc --noEmit -p .
npx tsc --noEmit -p packages/client
say "lint"
npx biome check .
# Some tests check the arithmetic on every block of the real history (../shared/data, never committed):
# without it they are skipped, which must not look like a pass.
if [ ! -d ../shared/data/blocks ] || [ ! -d ../shared/data/blobs ]; then
  say "*** ../shared/data is MISSING: the tests on real fee history will be SKIPPED, not passed ***"
fi
say "tests"
npx vitest run "$@"

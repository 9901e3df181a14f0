#!/usr/bin/env bash
# The test command of the README (`npm test`). On a fresh Debian machine it brings what the tests need:
# npm packages, and the real servers the integration tests run (redis-server from apt).
# Elsewhere it says what is missing and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'feecast test: %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "Node.js >= 20 is required (found $(node --version))."
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  # npm 11.19 writes lockfiles without the other platforms' optional binaries (biome, esbuild) and then
  # refuses them in `npm ci`; `npm install` installs the same locked versions.
  if ! npm ci --no-audit --no-fund; then
    say "npm ci refused the lockfile; installing the locked versions with npm install"
    npm install --no-audit --no-fund
  fi
fi

# Debian packages the integration tests run for real: command -> package.
declare -A needed=([redis-server]=redis-server
  # The SLO tests (test/slo-*.test.ts) run the real Prometheus tools and Debian's docker-compose.
  [prometheus]=prometheus [promtool]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager [amtool]=prometheus-alertmanager
  [docker-compose]=docker-compose)
missing=()
for cmd in "${!needed[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${needed[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
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

say "type check"
npx tsc --noEmit -p .
say "lint"
npx biome check .
say "tests"
npx vitest run "$@"

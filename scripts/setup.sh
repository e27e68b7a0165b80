#!/usr/bin/env bash
# `npm run setup`: installs the project on Node 24 whatever Node the machine has (Debian's machines here have
# Node 20, past end of life). Node 24 comes from the npm registry (the package `node`, at the version
# package.json pins) and `npm ci` runs on it, so engines are checked against 24. The same package is a
# devDependency, so every `npm run` script then runs on Node 24: npm puts node_modules/.bin, which holds its
# `node`, first on a script's PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

pinned=$(node -p "require('./package.json').devDependencies.node")
if [ "$(node -p 'process.versions.node')" = "$pinned" ]; then
  npm ci --no-audit --no-fund
else
  echo "setup: this is Node $(node -v); npm ci runs on Node $pinned, fetched from the npm registry"
  npm exec --yes --package="node@$pinned" -- npm ci --no-audit --no-fund
fi
# The portal's app, built now so that npm start and the checks find it ready (on Node 24: npm run puts
# node_modules/.bin, with its node, first on PATH).
npm run --silent portal:build

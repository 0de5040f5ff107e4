#!/usr/bin/env bash
# Installs nest-oauth-server into this example the way a user gets it: built, packed with `npm pack`
# (so only the package's `files` ship) into a temporary directory, and installed from that tarball,
# never from a path. The tarball is copied to vendor/nest-oauth-server.tgz (gitignored), the file
# package.json names; package-lock.json is brought up to date with it (its integrity changes
# whenever the library does), then `npm ci` installs exactly that lock, from scratch.
set -euo pipefail
example="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$example/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$root" && npm run --silent build --workspace nest-oauth-server)
tarball="$(cd "$root/libs/oauth-server" && npm pack --silent --pack-destination "$tmp" | tail -n 1)"
mkdir -p "$example/vendor"
cp "$tmp/$tarball" "$example/vendor/nest-oauth-server.tgz"
cd "$example"
# Only the lock: `npm ci` below does the one install.
npm install --package-lock-only --no-audit --no-fund ./vendor/nest-oauth-server.tgz
npm ci --no-audit --no-fund --ignore-scripts
# sqlite3 is the one package with a native build. The root checkout has just built the same version
# for the same Node.js: reuse that binary (a build cache, ~2 min of compiling saved), else build it.
own="$(node -p "require('./node_modules/sqlite3/package.json').version")"
built="$(node -p "try { require('$root/node_modules/sqlite3/package.json').version } catch { '' }")"
if [ "$own" = "$built" ] && [ -f "$root/node_modules/sqlite3/build/Release/node_sqlite3.node" ]; then
  cp -R "$root/node_modules/sqlite3/build" node_modules/sqlite3/
else
  npm rebuild sqlite3
fi
echo "installed $tarball into $example"

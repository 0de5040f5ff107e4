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
# Only the lock: `npm ci` below does the one install (sqlite3 may compile from source).
npm install --package-lock-only --no-audit --no-fund ./vendor/nest-oauth-server.tgz
npm ci --no-audit --no-fund
echo "installed $tarball into $example"

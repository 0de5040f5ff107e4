#!/usr/bin/env bash
# Installs nest-oauth-server into this example the way a user gets it: built, packed with `npm pack`
# (so only the package's `files` ship), and installed from that tarball, never from a path.
# The tarball is copied to vendor/nest-oauth-server.tgz (gitignored) because package.json names
# that file; `npm install` then records the tarball's integrity in package-lock.json, so a later
# `npm ci` installs exactly what was packed.
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
npm install --no-audit --no-fund ./vendor/nest-oauth-server.tgz
echo "installed $tarball into $example"

#!/usr/bin/env bash
# `npm test` pretest step: the browser e2e test drives Debian's Chromium (/usr/bin/chromium) through
# playwright-core. Installs it when missing (apt, as root or through sudo) and fails loudly when it
# cannot: a missing browser must make the run red, never skip the test.
set -uo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0

fail() {
  echo "ensure-browser: $CHROMIUM is missing and could not be installed ($1)." >&2
  echo "ensure-browser: install it by hand: apt-get update && apt-get install -y chromium" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "no apt-get on this machine"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "not root and no sudo"
  sudo_cmd=(sudo -n)
fi
echo "ensure-browser: installing chromium (apt-get) for the browser e2e test..." >&2
"${sudo_cmd[@]}" apt-get update -qq >&2 || fail "apt-get update failed"
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium >&2 \
  || fail "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || fail "apt-get installed chromium but $CHROMIUM is not there"
echo "ensure-browser: chromium installed at $CHROMIUM" >&2

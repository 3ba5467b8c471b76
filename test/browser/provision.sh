#!/usr/bin/env bash
# What the `browser` test project needs from Debian: Chromium (driven by playwright-core, whose
# own browser downloads are not reachable from CI) and promtool (package prometheus) to check
# /metrics. Idempotent: installs only what is missing, and starts no service while doing so.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing ${missing[*]}; installing needs root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  # The prometheus package would start a server listening on every address: refuse services.
  policy=/usr/sbin/policy-rc.d
  created_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=yes
  fi
  trap 'if [ "$created_policy" = yes ]; then rm -f "$policy"; fi' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "chromium: $(chromium --version 2>/dev/null | head -1)"
echo "promtool: $(promtool --version 2>&1 | head -1)"

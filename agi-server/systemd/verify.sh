#!/usr/bin/env bash
# Checks the systemd unit with systemd's own parser: `systemd-analyze verify` prints unknown keys
# and bad values as warnings and still exits 0, so any output at all is a failure here.
# Installs Debian's systemd package (for systemd-analyze) when it is missing and we are root.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v systemd-analyze >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends systemd >/dev/null
  else
    echo "systemd-analyze not found (Debian: apt-get install systemd)" >&2
    exit 2
  fi
fi
output=$(systemd-analyze verify --man=no switchboard-agi.service 2>&1) || {
  echo "$output" >&2
  exit 1
}
if [ -n "$output" ]; then
  echo "$output" >&2
  exit 1
fi
echo "switchboard-agi.service: systemd-analyze verify found nothing to report"

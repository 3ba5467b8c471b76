#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries are installed (Debian's `postgresql` package). The
# tests then start private clusters themselves (agi-server/bench/pg-cluster.ts, shared with npm run bench): initdb into a temp
# directory, listening on 127.0.0.1 only, run as the unprivileged `postgres` user when started
# as root (initdb refuses root). Nothing here starts a system-wide server.
set -euo pipefail

if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "PostgreSQL present: $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "PostgreSQL is not installed and installing it needs root: apt-get install postgresql" >&2
  exit 1
fi
# Debian's package would create and start a 'main' cluster on port 5432: the tests need none.
mkdir -p /etc/postgresql-common
echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
echo "PostgreSQL installed: $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

#!/usr/bin/env bash
# Installs PostgreSQL 15 (Debian 12) and builds pgvector 0.8.x from Debian's source
# package (trixie's sources; pgvector has no bookworm binary package). The deb-src
# entry is derived from the machine's own apt sources, so no host name lives here.
# Idempotent: does nothing that is already done.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PGV=15
PGBIN=/usr/lib/postgresql/$PGV/bin
need_apt_update=1
apt_update() { if [ "$need_apt_update" = 1 ]; then apt-get -o DPkg::Lock::Timeout=600 update -qq; need_apt_update=0; fi; }

# pg_dump / pg_restore (postgresql-client-15, a dependency of postgresql-15): the restore drill
# (tests/reliability/src/restore-drill.spec.ts) runs them.
if [ ! -x "$PGBIN/postgres" ] || [ ! -x "$PGBIN/pg_dump" ] || [ ! -x "$PGBIN/pg_restore" ] || [ ! -x /usr/bin/pg_config ] || [ ! -d /usr/include/postgresql/$PGV/server ]; then
  apt_update
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq postgresql-$PGV postgresql-client-$PGV postgresql-contrib postgresql-server-dev-$PGV build-essential dpkg-dev >/dev/null
fi

if [ ! -f /usr/share/postgresql/$PGV/extension/vector.control ]; then
  src=/etc/apt/sources.list.d/cinemap-trixie-src.sources
  if [ ! -f "$src" ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    keyring=$(awk '/^Signed-By:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' "$uri" "$keyring" > "$src"
    need_apt_update=1
  fi
  apt_update
  work=$(mktemp -d)
  ( cd "$work" && apt-get source -qq pgvector >/dev/null 2>&1 && cd pgvector-*/ && make -s PG_CONFIG=/usr/bin/pg_config >/dev/null && make -s install PG_CONFIG=/usr/bin/pg_config >/dev/null )
  rm -rf "$work"
fi
echo "postgresql $PGV with pgvector $(awk -F"'" '/default_version/ {print $2}' /usr/share/postgresql/$PGV/extension/vector.control)"

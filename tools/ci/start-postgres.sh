#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free port (as the postgres user) and
# prints the DATABASE_URL for it. Usage: eval "$(tools/ci/start-postgres.sh DIR)"
set -euo pipefail
dir=${1:-$(mktemp -d /tmp/cinemap-pg.XXXXXX)}
PGBIN=/usr/lib/postgresql/15/bin
mkdir -p "$dir"; chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
su postgres -c "$PGBIN/initdb -D '$dir/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null"
su postgres -c "$PGBIN/pg_ctl -D '$dir/data' -l '$dir/log' -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200' -w start >/dev/null"
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres CINEMAP_PG_DIR=$dir"

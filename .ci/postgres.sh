#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a Unix socket and loopback port,
# as an unprivileged user (initdb refuses root), and prints the connection
# URL on stdout. Usage: .ci/postgres.sh DIR [PORT]; stop it with
#   pg_ctl -D DIR/data stop   (as the same user)
set -euo pipefail
dir=${1:?usage: postgres.sh DIR [PORT]}
port=${2:-55432}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
	echo "postgres.sh: PostgreSQL server binaries not found; install the postgresql package" >&2
	exit 1
fi
run_as=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
	run_as=(runuser -u postgres --)
fi
mkdir -p "$dir"
chmod 0755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U embargo --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
	cat "$dir/initdb.log" >&2
	exit 1
}
"${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >&2
echo "postgres://embargo@127.0.0.1:$port/postgres?sslmode=disable"

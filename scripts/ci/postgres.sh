#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: scripts/ci/postgres.sh start|stop|restart|env [DIR]
#
#   start    initdb a new cluster in DIR (default: a new /var/tmp/tune-pg-XXXXXX), on a free loopback port, with
#            scram-sha-256 password auth, a role and a database for the tests; prints `export TUNE_TEST_POSTGRES_URL=…`
#            and `export TUNE_PG_DIR=…` (eval it). The password is random and only in that URL.
#   env      prints those exports again for DIR.
#   restart  pg_ctl restart (the fault tests' "server restart").
#   stop     stops the cluster and removes DIR.
#
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user (runuser); otherwise to you.
# DIR is under /var/tmp, not a 0700 temp folder of root's, so that user can reach it.
set -euo pipefail

cmd=${1:-}
# start makes a new cluster in DIR or a new folder, never in $TUNE_PG_DIR: that one is the running cluster's (a
# test that starts its own must not reuse CI's). The other commands default to it.
if [ "$cmd" = start ]; then dir=${2:-}; else dir=${2:-${TUNE_PG_DIR:-}}; fi
case "$dir" in /* | "") ;; *) dir="$PWD/$dir" ;; esac

bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bin=$d; done
[ -n "$bin" ] || bin=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
[ -x "$bin/initdb" ] || { echo "postgres.sh: no initdb found (apt-get install postgresql)" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then owner=postgres; else owner=$(id -un); fi
# From /, because that user may not be allowed into the caller's folder (a checkout in a 0700 folder of root's).
as_owner() {
  if [ "$(id -un)" = "$owner" ]; then "$@"; else (cd / && runuser -u "$owner" -- "$@"); fi
}

print_env() {
  echo "export TUNE_PG_DIR=$dir"
  echo "export TUNE_TEST_POSTGRES_URL=$(cat "$dir/url")"
}

case "$cmd" in
  start)
    if [ -z "$dir" ]; then dir=$(mktemp -d /var/tmp/tune-pg-XXXXXX); fi
    mkdir -p "$dir"
    chmod 0755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
           node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$password" > "$dir/pwfile"
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir/pwfile"
    as_owner "$bin/initdb" -D "$dir/data" -U tune --pwfile="$dir/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=200" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://tune:$password@127.0.0.1:$port/postgres" > "$dir/url"
    chmod 0600 "$dir/url"
    print_env
    ;;
  env)
    [ -n "$dir" ] || { echo "postgres.sh env: give DIR (or set TUNE_PG_DIR)" >&2; exit 2; }
    print_env
    ;;
  restart)
    [ -n "$dir" ] || { echo "postgres.sh restart: give DIR (or set TUNE_PG_DIR)" >&2; exit 2; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 60 -m fast restart >/dev/null
    ;;
  stop)
    [ -n "$dir" ] || { echo "postgres.sh stop: give DIR (or set TUNE_PG_DIR)" >&2; exit 2; }
    if [ -d "$dir/data" ]; then as_owner "$bin/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null || true; fi
    case "$dir" in /var/tmp/tune-pg-*) rm -rf "$dir" ;; esac
    ;;
  *)
    echo "usage: scripts/ci/postgres.sh start|stop|restart|env [DIR]" >&2
    exit 2
    ;;
esac

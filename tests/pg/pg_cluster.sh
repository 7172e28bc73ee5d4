#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on a free loopback port.
#   pg_cluster.sh start DIR    initdb + start; writes DIR/uri (and prints it)
#   pg_cluster.sh stop DIR     stop it (fast) and remove it and DIR
#   pg_cluster.sh pause DIR    stop the server, keep its data (an outage)
#   pg_cluster.sh resume DIR   start it again on the same port
# DIR only records where the cluster is: the cluster itself lives in a fresh folder under /tmp,
# because PostgreSQL refuses to run as root and, as root, runs here as the postgres user, which
# must be able to reach its folder (a checkout under /root is not reachable).
set -euo pipefail

command=${1:?usage: pg_cluster.sh start|stop|pause|resume DIR}
dir=${2:?usage: pg_cluster.sh start|stop|pause|resume DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$bin/initdb" ]] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() {
  local cluster=$1 port=$2
  as_postgres "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/postgres.log" -w -t 30 \
    -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off" \
    start >/dev/null
}

case "$command" in
  start)
    mkdir -p "$dir"
    cluster=$(mktemp -d /tmp/authd-pg.XXXXXX)
    chmod 755 "$cluster"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$cluster"
    echo "$cluster" >"$dir/cluster"
    # Trust on loopback only: the cluster lives for one test run and listens on 127.0.0.1. No fsync:
    # the tests stop the server cleanly (an outage), they never cut the power.
    as_postgres "$bin/initdb" -D "$cluster/data" -U authd --auth=trust -E UTF8 >"$cluster/initdb.log" 2>&1
    for _ in $(seq 20); do
      # Below Linux's ephemeral range (32768+), so no outgoing connection holds the port
      # while a paused cluster waits to resume on it.
      port=$((20000 + RANDOM % 12000))
      if start_server "$cluster" "$port" 2>>"$cluster/start.log"; then
        echo "$port" >"$dir/port"
        echo "postgresql://authd@127.0.0.1:$port/postgres" | tee "$dir/uri"
        exit 0
      fi
    done
    echo "could not start PostgreSQL; see $cluster/postgres.log" >&2
    exit 1
    ;;
  stop)
    if [[ -f "$dir/cluster" ]]; then
      cluster=$(cat "$dir/cluster")
      as_postgres "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1 || true
      rm -rf "$cluster"
    fi
    rm -rf "$dir"
    ;;
  pause)
    as_postgres "$bin/pg_ctl" -D "$(cat "$dir/cluster")/data" -m fast -w stop >/dev/null
    ;;
  resume)
    start_server "$(cat "$dir/cluster")" "$(cat "$dir/port")"
    ;;
  *)
    echo "unknown command: $command" >&2
    exit 2
    ;;
esac

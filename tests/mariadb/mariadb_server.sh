#!/usr/bin/env bash
# A throwaway MariaDB server for the tests, on a free loopback port: the MySQL databases the
# legacy apps make, which `authd import` reads.
#   mariadb_server.sh start DIR   install a fresh data folder, start; writes DIR/uri (and prints it)
#   mariadb_server.sh stop DIR    stop it and remove it and DIR
# The server runs as the mysql user (it refuses root) in a fresh folder under /tmp; the tests
# connect over TCP as the user "authd" with a password, which may create databases.
set -euo pipefail

command=${1:?usage: mariadb_server.sh start|stop DIR}
dir=${2:?usage: mariadb_server.sh start|stop DIR}
command -v mariadbd >/dev/null || PATH=$PATH:/usr/sbin
command -v mariadbd >/dev/null || { echo "MariaDB server not found (apt-get install mariadb-server)" >&2; exit 1; }
password=authd-test-password

as_mysql() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u mysql -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    mkdir -p "$dir"
    server=$(mktemp -d /tmp/authd-mariadb.XXXXXX)
    chmod 755 "$server"
    [[ $(id -u) -eq 0 ]] && chown mysql: "$server"
    echo "$server" >"$dir/server"
    as_mysql mariadb-install-db --datadir="$server/data" --auth-root-authentication-method=socket \
      --skip-test-db >"$server/install.log" 2>&1
    for _ in $(seq 20); do
      port=$((20000 + RANDOM % 12000))
      as_mysql mariadbd --no-defaults --datadir="$server/data" --socket="$server/socket" \
        --pid-file="$server/pid" --port="$port" --bind-address=127.0.0.1 \
        --innodb-flush-log-at-trx-commit=0 --skip-log-bin >"$server/server.log" 2>&1 &
      for _ in $(seq 100); do
        if mariadb --no-defaults --socket="$server/socket" -u root -e "SELECT 1" >/dev/null 2>&1; then
          mariadb --no-defaults --socket="$server/socket" -u root -e \
            "CREATE USER 'authd'@'127.0.0.1' IDENTIFIED BY '$password';
             GRANT ALL ON *.* TO 'authd'@'127.0.0.1';"
          echo "$port" >"$dir/port"
          echo "mysql://authd:$password@127.0.0.1:$port" | tee "$dir/uri"
          exit 0
        fi
        if ! kill -0 $! 2>/dev/null; then break; fi
        sleep 0.1
      done
      kill $! 2>/dev/null || true
    done
    echo "could not start MariaDB; see $server/server.log" >&2
    exit 1
    ;;
  stop)
    [[ -f "$dir/server" ]] || exit 0
    server=$(cat "$dir/server")
    if [[ -f "$server/pid" ]]; then
      pid=$(cat "$server/pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$server" "$dir"
    ;;
  *)
    echo "usage: mariadb_server.sh start|stop DIR" >&2
    exit 2
    ;;
esac

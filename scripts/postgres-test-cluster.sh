#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and the benchmark, and prints its URL
# (postgres://ozg@127.0.0.1:PORT/postgres; user ozg is the cluster's superuser, trusted on loopback);
# the URL is also written to DIR/url.
#
#   scripts/postgres-test-cluster.sh DIR WATCH_PID
#
# DIR (new or empty) gets the cluster; WATCH_PID is the process it lives for: a watchdog stops the
# cluster (immediate shutdown) and removes DIR within a second of that process ending, however it
# ended — a failed or killed test run leaves no server behind. PostgreSQL refuses to run as root, so
# as root the cluster runs as the `postgres` user (Debian's package creates it).
# Needs Debian's `postgresql` (scripts/install-system-packages.sh installs it).
set -euo pipefail
dir=${1:?Verzeichnis fehlt}
watch=${2:?Prozess-ID fehlt}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL ist nicht installiert (erwartet unter /usr/lib/postgresql/*/bin); scripts/install-system-packages.sh installiert es." >&2
    exit 1
fi
mkdir -p "$dir"
run=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    run=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
"${run[@]}" "$bin/initdb" -D "$dir/data" -U ozg -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
}
for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    # The watchdog: postgres in the background, stopped when WATCH_PID is gone (checked via /proc, which
    # works across users), then the directory removed. A server that ends after it once answered (a
    # test stopping it with `kill -INT` to see clients ride out a database restart) is started again on
    # the same port a second later. The watchdog first closes every descriptor it inherited beyond 0–2:
    # a caller that learns of the script's end through one (Foundation's Process does) would otherwise
    # wait as long as the cluster lives.
    "${run[@]}" bash -c '
        for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null
        start() {
            "$1/postgres" -D "$2/data" -p "$3" -k "$2" -c listen_addresses=127.0.0.1 -c fsync=off \
                -c full_page_writes=off -c max_connections=200 >>"$2/postgres.log" 2>&1 &
            server=$!
            echo "$server" >"$2/postmaster"
        }
        start "$@"
        while [ -d "/proc/$4" ]; do
            if ! kill -0 "$server" 2>/dev/null; then
                [ -f "$2/url" ] || break
                sleep 1
                start "$@"
            fi
            sleep 1
        done
        kill -QUIT "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        [ -d "/proc/$4" ] || rm -rf "$2"
    ' watchdog "$bin" "$dir" "$port" "$watch" >/dev/null 2>&1 &
    for _ in $(seq 1 100); do
        if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U ozg; then
            echo "postgres://ozg@127.0.0.1:$port/postgres" | tee "$dir/url"
            exit 0
        fi
        # The server ended (the port was taken): try another.
        if grep -q "could not bind\|could not create any TCP/IP sockets" "$dir/postgres.log" 2>/dev/null; then
            rm -f "$dir/postgres.log"
            break
        fi
        sleep 0.1
    done
    sleep 1.2
done
echo "PostgreSQL startete nicht; sein Protokoll:" >&2
cat "$dir/postgres.log" >&2 2>/dev/null || true
exit 1

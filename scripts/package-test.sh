#!/usr/bin/env bash
# Installs the Debian packages into a clean Debian root (debootstrap, no Swift in it) and uses them
# the way a state office and a facilitator would: ozg-shell --version, a scripted workshop, the
# server started with the systemd unit's own command line as its user, a sync, an upgrade to a
# newer build that keeps the labs, then remove (data stays) and purge (data gone).
#
#   scripts/package-test.sh               build the release (scripts/release.sh) and test it
#   scripts/package-test.sh --skip-build  test the binaries already in dist/bin
#
# Needs root (debootstrap, chroot, mount) and Debian's mirror. The base root is cached in
# .build-debroot/ (ignored by git); each run starts from a fresh copy of it. Slow (a release
# build from cold takes long on two cores), so CI does not run it: see docs/OPERATIONS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

skip_build=
[ "${1:-}" = --skip-build ] && skip_build=--skip-build
[ "$(id -u)" -eq 0 ] || { echo "package-test.sh braucht root (debootstrap, chroot)." >&2; exit 1; }
for tool in debootstrap curl; do
    command -v "$tool" >/dev/null || {
        # A fresh machine's package lists may be empty: read them first.
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap curl >&2
        break
    }
done

scripts/release.sh --revision 1 $skip_build
scripts/release.sh --revision 2 --skip-build
version=$(sed -n 's/.*static let current = "\([0-9][0-9.]*\)".*/\1/p' Sources/OZGDomain/ProductVersion.swift)
arch=$(dpkg --print-architecture)

cache=.build-debroot
root=$cache/root
base=$cache/bookworm-minbase.tar
mkdir -p "$cache"
if [ ! -f "$base" ]; then
    echo "debootstrap (einmalig, danach aus $base) …" >&2
    rm -rf "$cache/base"
    debootstrap --variant=minbase bookworm "$cache/base" http://deb.debian.org/debian >&2
    tar -C "$cache/base" -cf "$base.tmp" . && mv "$base.tmp" "$base"
    rm -rf "$cache/base"
fi

server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill -- "-$server_pid" 2>/dev/null || true
    umount "$root/proc" 2>/dev/null || true
}
trap cleanup EXIT
umount "$root/proc" 2>/dev/null || true
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mkdir -p "$root/tmp/pakete"
cp dist/*_"$version"-[12]_"$arch".deb "$root/tmp/pakete/"

inroot() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
fail() { echo "FEHLER: $*" >&2; exit 1; }
step() { echo "== $*" >&2; }

step "Installieren (apt löst Depends auf; keine Swift-Installation im Root)"
[ ! -e "$root/opt/swift" ] && ! inroot sh -c 'command -v swift' >/dev/null || fail "Swift im Root"
inroot apt-get update -qq
inroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "/tmp/pakete/ozg-shell_${version}-1_$arch.deb" "/tmp/pakete/ozg-sync-server_${version}-1_$arch.deb" >&2
[ "$(inroot ozg-shell --version)" = "ozg-shell $version" ] || fail "ozg-shell --version"
[ "$(inroot ozg-sync-server --version)" = "ozg-sync-server $version" ] || fail "ozg-sync-server --version"
for tool in ozg-shell ozg-sync-server; do
    zcat "$root/usr/share/man/man1/$tool.1.gz" | grep -qi "^\.Dt $tool 1" || fail "Handbuchseite $tool (mdoc, .Dt)"
    grep -q "complete" "$root/usr/share/bash-completion/completions/$tool" || fail "Vervollständigung $tool"
done
inroot getent passwd ozg-sync | grep -q nologin || fail "Benutzer ozg-sync"
[ "$(inroot stat -c %U /var/lib/ozg-sync-server)" = ozg-sync ] || fail "Datenverzeichnis gehört nicht ozg-sync"

step "Root darf nicht ins Datenverzeichnis des Dienstes schreiben"
if message=$(inroot ozg-sync-server labor list --data /var/lib/ozg-sync-server 2>&1); then
    fail "labor list als root lief durch"
fi
grep -q "runuser -u ozg-sync" <<<"$message" || fail "Meldung ohne Hinweis: $message"

step "Labor und Token anlegen (als ozg-sync)"
asservice() { inroot runuser -u ozg-sync -- "$@"; }
asservice ozg-sync-server labor create wohngeld-mv --titel "DigiLab Wohngeld M-V" --data /var/lib/ozg-sync-server >/dev/null
anna=$(asservice ozg-sync-server token create --labor wohngeld-mv --rolle schreiben --name Anna --data /var/lib/ozg-sync-server)
ben=$(asservice ozg-sync-server token create --labor wohngeld-mv --rolle schreiben --name Ben --data /var/lib/ozg-sync-server)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s/--port 8080/--port $port/" "$root/etc/ozg-sync-server/ozg-sync-server.conf"
# The unit's own command line: ExecStart with the EnvironmentFile's variable, split like systemd does.
exec_start=$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/ozg-sync-server.service")
# In a session of its own, so stopping it ends every process of it, like systemd ends the unit's
# control group (runuser does not pass SIGTERM on to the server).
start_server() {
    setsid chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 runuser -u ozg-sync -- /bin/sh -c ". /etc/ozg-sync-server/ozg-sync-server.conf && exec $exec_start" \
        > "$cache/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    cat "$cache/server.log" >&2
    fail "Server antwortet nicht"
}
stop_server() {
    kill -TERM -- "-$server_pid"
    wait "$server_pid" || true
    for _ in $(seq 50); do
        pgrep -f "^/usr/bin/ozg-sync-server" >/dev/null || break
        sleep 0.2
    done
    ! pgrep -f "^/usr/bin/ozg-sync-server" >/dev/null || fail "Server läuft 10 s nach SIGTERM weiter"
    server_pid=
}
if command -v systemd-analyze >/dev/null; then
    step "systemd-analyze verify der Einheit"
    systemd-analyze verify --root="$root" /lib/systemd/system/ozg-sync-server.service 2>&1 \
        | grep -v "Cannot add dependency job\|not found\|man ozg-sync-server" | tee "$cache/verify.log" >&2 || true
fi

step "Server wie die Einheit starten, Workshop in der Shell, Abgleich"
start_server
url="http://127.0.0.1:$port"
inroot ozg-shell /root/anna.ozg --autor "Anna (Moderation)" \
    -c 'labor add id=wohngeld-mv titel="DigiLab Wohngeld M-V" themenfeld=bauen_wohnen bundesland=DE-MV' \
    -c 'persona add name="Erika Muster" kurzbeschreibung=Pflegekraft nutzergruppe=001 ziele="Schnell fertig"' \
    -c "remote set $url token=$anna" -c sync >/dev/null
inroot ozg-shell /root/ben.ozg --autor Ben -c "remote set $url token=$ben labor=wohngeld-mv" -c sync >/dev/null
inroot ozg-shell /root/ben.ozg -c "persona list" | grep -q "Erika Muster" || fail "Ben sieht die Persona nicht"

step "Upgrade auf den neueren Build (Revision 2), Daten und geänderte Konfiguration bleiben"
stop_server
inroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "/tmp/pakete/ozg-shell_${version}-2_$arch.deb" "/tmp/pakete/ozg-sync-server_${version}-2_$arch.deb" >&2
[ "$(inroot dpkg-query -W -f='${Version}' ozg-sync-server)" = "$version-2" ] || fail "Version nach dem Upgrade"
grep -q -- "--port $port" "$root/etc/ozg-sync-server/ozg-sync-server.conf" || fail "Konfiguration überschrieben"
asservice ozg-sync-server labor list --data /var/lib/ozg-sync-server | grep -q wohngeld-mv || fail "Labor fehlt"
start_server
inroot ozg-shell /root/ben.ozg --autor Ben -c 'persona add name="Bernd Beispiel" kurzbeschreibung=Rentner nutzergruppe=001 ziele=Ruhe' -c sync >/dev/null
inroot ozg-shell /root/carla.ozg --autor Carla -c "remote set $url token=$anna labor=wohngeld-mv" -c sync >/dev/null
listing=$(inroot ozg-shell /root/carla.ozg -c "persona list")
grep -q "Erika Muster" <<<"$listing" && grep -q "Bernd Beispiel" <<<"$listing" || fail "nach dem Upgrade: $listing"
stop_server

step "Entfernen behält die Daten, Purge löscht sie"
inroot env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq ozg-sync-server >&2
[ -f "$root/var/lib/ozg-sync-server/server.sqlite" ] || fail "remove löschte die Daten"
inroot getent passwd ozg-sync >/dev/null || fail "remove löschte den Benutzer"
inroot env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ozg-sync-server >&2
[ ! -e "$root/var/lib/ozg-sync-server" ] || fail "purge ließ die Daten liegen"
[ ! -e "$root/etc/ozg-sync-server" ] || fail "purge ließ die Konfiguration liegen"
! inroot getent passwd ozg-sync >/dev/null || fail "purge ließ den Benutzer liegen"
inroot env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ozg-shell >&2

echo "Pakettest bestanden in $((SECONDS - started)) s." >&2

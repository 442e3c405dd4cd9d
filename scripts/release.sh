#!/usr/bin/env bash
# Builds the release: ozg-shell and ozg-sync-server with the Swift runtime linked in
# (--static-swift-stdlib: they run on Debian/Ubuntu without Swift), their man pages (from the
# argument parsers, swift-argument-parser's generate-manual plugin) and bash completions, and the
# two Debian packages. Everything lands in dist/ (ignored by git).
#
#   scripts/release.sh                  build, then dist/ozg-shell_<v>-1_<arch>.deb and …server…
#   scripts/release.sh --revision 2     Debian revision of the packages (a newer build of the same version)
#   scripts/release.sh --skip-build     package the binaries already in dist/bin again
#
# The version is ProductVersion.current (Sources/OZGDomain/ProductVersion.swift). Needs dpkg-deb
# (Debian's dpkg) and the build's system packages (scripts/install-system-packages.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

revision=1
build=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --revision) revision="${2:?--revision braucht eine Zahl}"; shift 2 ;;
        --skip-build) build=no; shift ;;
        *) echo "Unbekannte Option „$1“; erlaubt: --revision N, --skip-build." >&2; exit 2 ;;
    esac
done
case "$revision" in
    '' | *[!0-9]*) echo "--revision muss eine positive ganze Zahl sein (angegeben: „$revision“)." >&2; exit 2 ;;
esac

version=$(sed -n 's/.*static let current = "\([0-9][0-9.]*\)".*/\1/p' Sources/OZGDomain/ProductVersion.swift)
[ -n "$version" ] || { echo "Keine Version in Sources/OZGDomain/ProductVersion.swift gefunden." >&2; exit 1; }
arch=$(dpkg --print-architecture)
scratch=.build-release
dist=dist

if [ "$build" = yes ]; then
    scripts/install-system-packages.sh
    # The shell's HTTP client (FoundationNetworking) links libcurl; statically linked Foundation needs
    # its development files (the binary then loads the shared libcurl4, a Depends of the package).
    if ! dpkg -s libcurl4-openssl-dev >/dev/null 2>&1; then
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libcurl4-openssl-dev >&2
    fi
    rm -rf "$dist"
    mkdir -p "$dist/bin" "$dist/man" "$dist/completion"
    # generate-manual comes with swift-argument-parser as a command plugin; running the plugin builds
    # the tool and every product in release (dynamically linked) in the same scratch path, so the
    # static builds after it only relink the two programs.
    swift package --scratch-path "$scratch" plugin generate-manual --configuration release >&2
    manual_tool=$(find "$scratch" -type f -name generate-manual-tool -perm -u+x | head -n 1)
    [ -n "$manual_tool" ] || { echo "Das Werkzeug generate-manual wurde nicht gebaut." >&2; exit 1; }
    for product in ozg-shell ozg-sync-server; do
        swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$product" >&2
    done
    bin=$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)
    for product in ozg-shell ozg-sync-server; do
        install -m 0755 "$bin/$product" "$dist/bin/$product"
        strip --strip-unneeded "$dist/bin/$product"
        if ldd "$dist/bin/$product" | grep -q swift; then
            echo "$product hängt noch an einer Swift-Bibliothek:" >&2
            ldd "$dist/bin/$product" >&2
            exit 1
        fi
        "$dist/bin/$product" --generate-completion-script bash > "$dist/completion/$product"
        # The man page, from the program's own argument definitions, German letters in ASCII
        # (packaging/man-ascii.sed says why).
        pages=$(mktemp -d)
        printf '#!/bin/sh\n"%s" "$@" | sed -f "%s"\n' "$PWD/$dist/bin/$product" "$PWD/packaging/man-ascii.sed" \
            > "$pages/$product"
        chmod +x "$pages/$product"
        "$manual_tool" "$pages/$product" --output-directory "$pages" >&2
        [ -f "$pages/$product.1" ] || { echo "generate-manual schrieb keine Handbuchseite für $product." >&2; exit 1; }
        gzip -9n < "$pages/$product.1" > "$dist/man/$product.1.gz"
        rm -rf "$pages"
    done
fi
for product in ozg-shell ozg-sync-server; do
    [ -x "$dist/bin/$product" ] || { echo "$dist/bin/$product fehlt: erst ohne --skip-build bauen." >&2; exit 1; }
done

# Depends: the packages that hold the shared libraries the binaries load directly (their NEEDED
# entries, found through ldd and dpkg -S), each at least at the version installed here, like
# dpkg-shlibdeps would say for a plain binary; the libraries those load come with their packages.
depends() {
    local binary=$1
    # The dynamic loader (ld-linux) belongs to libc6 like libc itself.
    objdump -p "$binary" | awk '$1 == "NEEDED" && $2 !~ /^ld-linux/ { print $2 }' | while read -r needed; do
        library=$(ldd "$binary" | awk -v name="$needed" '$1 == name { print $3 }')
        [ -n "$library" ] || { echo "$binary braucht $needed, ldd findet sie nicht." >&2; exit 1; }
        dpkg -S "$(readlink -f "$library")" 2>/dev/null || dpkg -S "$library"
    done | cut -d: -f1 | sort -u | while read -r package; do
        echo "$package (>= $(dpkg-query -W -f='${Version}' "$package" | sed 's/-[^-]*$//'))"
    done | paste -sd, | sed 's/,/, /g'
}

package() {
    local name=$1 description=$2 root
    root=$(mktemp -d)
    install -D -m 0755 "$dist/bin/$name" "$root/usr/bin/$name"
    install -D -m 0644 "$dist/man/$name.1.gz" "$root/usr/share/man/man1/$name.1.gz"
    install -D -m 0644 "$dist/completion/$name" "$root/usr/share/bash-completion/completions/$name"
    install -D -m 0644 packaging/copyright "$root/usr/share/doc/$name/copyright"
    mkdir -p "$root/DEBIAN"
    if [ -d "packaging/$name" ]; then
        "packaging/$name/install-files" "$root"
    fi
    cat > "$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $version-$revision
Architecture: $arch
Maintainer: OZG Labor-Sync <labor-sync@example.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $(depends "$dist/bin/$name")${3:+, $3}
Section: $4
Priority: optional
Homepage: https://example.invalid/ozg-labor-sync
Description: $description
CONTROL
    sed 's/^/ /; s/^ $/ ./' "packaging/$name.description" >> "$root/DEBIAN/control"
    dpkg-deb --root-owner-group -Zxz --build "$root" "$dist/${name}_$version-${revision}_$arch.deb" >/dev/null
    rm -rf "$root"
}

package ozg-shell "Zeilen-Shell für OZG-Digitalisierungslabore, offline auf einem lokalen Replikat" "" utils
package ozg-sync-server "Sync-Server für OZG Labor-Sync (Labore, Tokens, Prüfprotokoll)" "passwd" net

echo "Version $version-$revision ($arch):"
for file in "$dist/bin/ozg-shell" "$dist/bin/ozg-sync-server" "$dist"/*_"$version-${revision}"_"$arch".deb; do
    printf '  %-48s %6s MiB\n' "$file" "$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1048576 }')"
done

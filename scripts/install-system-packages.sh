#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, if missing (libsqlite3-dev, zlib1g-dev;
# postgresql, whose binaries the tests start a throwaway cluster with (scripts/postgres-test-cluster.sh);
# libxml2-utils for xmllint, which validates exported BPMN against the OMG schema; tmux, which drives
# the interactive shell tests through a real terminal, and less, the pager they page long tables with; pandoc and jq, the real consumers the export
# tests render Markdown and query JSON with; LibreOffice Calc without GUI, which opens exported CSV
# the way a spreadsheet user does; chromium and chromium-driver, the real browser the web view's
# tests drive over W3C WebDriver; librsvg2-bin, whose rsvg-convert renders the exported SVG pictures).
set -euo pipefail
missing=()
for package in libsqlite3-dev zlib1g-dev postgresql libxml2-utils tmux less openssl curl pandoc jq libreoffice-calc-nogui chromium chromium-driver fonts-dejavu-core librsvg2-bin; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "Installiere Systempakete: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

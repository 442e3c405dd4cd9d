#!/usr/bin/env bash
# Starts ozg-shell on a local replica (default ./labor.ozg), building it first if needed.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/install-system-packages.sh"
swift build --package-path "$here" --product ozg-shell >&2
exec "$here/.build/debug/ozg-shell" "$@"

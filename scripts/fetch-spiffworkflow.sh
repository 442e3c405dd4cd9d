#!/usr/bin/env bash
# Installs the BPMN engine SpiffWorkflow (PyPI, with lxml) into .build/spiffworkflow for the tests
# that run exported processes (scripts/bpmn-engine-check.py). Not committed; needs python3 and pip.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
target="${OZG_SPIFF_DIR:-$here/.build/spiffworkflow}"
if [ -d "$target/SpiffWorkflow" ]; then
    exit 0
fi
python3 -m pip install --quiet --disable-pip-version-check --target "$target" "spiffworkflow==3.2.0"
echo "SpiffWorkflow liegt in $target" >&2

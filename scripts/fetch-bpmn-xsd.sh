#!/usr/bin/env bash
# Fetches the five OMG BPMN 2.0 schema files (BPMN20.xsd, Semantic.xsd, BPMNDI.xsd, DC.xsd, DI.xsd)
# from the PyPI package spiffworkflow into .build/bpmn-xsd (not committed: their licence is not ours).
# The BPMN tests call this when the folder is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
target="${OZG_BPMN_XSD_DIR:-$here/.build/bpmn-xsd}"
if [ -f "$target/BPMN20.xsd" ]; then
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$work" "spiffworkflow==3.2.0"
mkdir -p "$target"
python3 - "$work" "$target" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(wheel) as archive:
    for name in ("BPMN20.xsd", "Semantic.xsd", "BPMNDI.xsd", "DC.xsd", "DI.xsd"):
        data = archive.read("SpiffWorkflow/bpmn/parser/schema/" + name)
        open(sys.argv[2] + "/" + name, "wb").write(data)
PY
echo "BPMN-Schemadateien liegen in $target" >&2

#!/usr/bin/env bash
# The project's test command: installs what is missing, checks formatting, builds once, runs every test.
# OZG_SIM_SEEDS raises the number of convergence schedules (default 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift format lint --strict -r Sources Tests Package.swift
scripts/fetch-bpmn-xsd.sh
swift build --build-tests
# Suites run one after another: the long simulation would otherwise hold the cooperative threads that the
# in-process servers of the sync tests need (2 cores), and their requests would time out.
swift test --skip-build --no-parallel

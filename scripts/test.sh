#!/usr/bin/env bash
# Installs what is missing (test clients included), builds the dev preset and runs the
# whole suite (unit, integration, e2e) through ctest. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs="$(nproc)"
bash scripts/install-deps.sh --with-test-clients
cmake --preset dev
cmake --build --preset dev -j "$jobs"
# Tests without a TIMEOUT of their own get 300 s; ctest fails when it finds no tests.
ctest --preset dev -j "$jobs" --output-on-failure --timeout 300 --no-tests=error

#!/usr/bin/env bash
# Installs what is missing, builds the release preset and runs glacier-mock in the
# foreground (default 127.0.0.1:8080). Arguments go to the server, e.g. --port 9000.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target glacier-mock
exec build/release/glacier-mock "$@"

#!/usr/bin/env bash
# Installs what building glacier-mock needs on Debian 12 (bookworm); with
# --with-test-clients also what the end-to-end tests drive it with (boto3, the AWS CLI,
# Node.js and the JS SDK, Chromium and playwright-core for the web console); with --with-fuzzing clang and its libFuzzer runtime for fuzz/
# (GCC's sanitizer runtimes come with g++). Idempotent: only what is missing is installed,
# and a rerun with everything present touches no package index.
set -euo pipefail

usage() {
  echo "usage: $0 [--with-test-clients] [--with-fuzzing]"
}

with_test_clients=0
with_fuzzing=0
for arg in "$@"; do
  case "$arg" in
    --with-test-clients) with_test_clients=1 ;;
    --with-fuzzing) with_fuzzing=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: run as root (or install sudo)" >&2
    exit 1
  fi
fi

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_updated=0
apt_install() {
  [ "$#" -gt 0 ] || return 0
  echo "install-deps: installing $*"
  if [ "$apt_updated" -eq 0 ]; then
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=1
  fi
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@"
}

# Build dependencies. Debian's default libboost-dev is 1.74; glacier-mock needs 1.81.
missing=()
for pkg in build-essential g++ cmake libboost1.81-dev libboost-url1.81-dev \
    nlohmann-json3-dev libspdlog-dev libgtest-dev libssl-dev libsqlite3-dev ca-certificates; do
  installed "$pkg" || missing+=("$pkg")
done

if [ "$with_test_clients" -eq 1 ]; then
  if ! command -v python3 >/dev/null 2>&1; then
    missing+=(python3 python3-boto3)
  elif ! python3 -c 'import boto3' >/dev/null 2>&1 &&
       ! { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import boto3' >/dev/null 2>&1; }; then
    # Debian's python3-boto3 serves /usr/bin/python3, which the e2e tests fall back to.
    missing+=(python3 python3-boto3)
  fi
  # Either AWS CLI major version works; Debian's awscli package is v2.
  command -v aws >/dev/null 2>&1 || missing+=(awscli)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  # The web console's browser tests drive Debian's Chromium (playwright-core downloads none).
  installed chromium || missing+=(chromium)
fi

if [ "$with_fuzzing" -eq 1 ]; then
  # libclang-rt-dev follows Debian's default clang and holds libclang_rt.fuzzer.
  for pkg in clang libclang-rt-dev; do
    installed "$pkg" || missing+=("$pkg")
  done
fi

apt_install "${missing[@]+"${missing[@]}"}"

if [ "$with_test_clients" -eq 1 ]; then
  # Some Node.js builds bring npm along; Debian's is a package of its own.
  command -v npm >/dev/null 2>&1 || apt_install npm

  js_dir="$repo_root/tests/e2e/js"
  # The version package.json pins for each dependency, and the one node_modules holds.
  versions() {
    node -e "const deps = require('$js_dir/package.json').dependencies;
      for (const name of Object.keys(deps)) {
        let have = '';
        try { have = require('$js_dir/node_modules/' + name + '/package.json').version; } catch {}
        console.log(name + ' ' + deps[name] + ' ' + (have || '-'));
      }"
  }
  stale="$(versions | awk '$2 != $3')"
  if [ -n "$stale" ] || [ ! -f "$js_dir/node_modules/.package-lock.json" ] ||
     [ "$js_dir/package-lock.json" -nt "$js_dir/node_modules/.package-lock.json" ] ||
     [ "$js_dir/package.json" -nt "$js_dir/node_modules/.package-lock.json" ]; then
    echo "install-deps: installing the JS SDK and playwright-core into tests/e2e/js/node_modules"
    if [ -f "$js_dir/package-lock.json" ]; then
      (cd "$js_dir" && npm ci --no-audit --no-fund)
    else
      (cd "$js_dir" && npm install --no-audit --no-fund)
    fi
  fi
fi

echo "install-deps: all dependencies present"

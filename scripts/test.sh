#!/usr/bin/env bash
# Installs what is missing (test clients and clang included), then runs every CI stage and
# exits non-zero when any fails:
#   dev   build the dev preset, run the whole suite (unit, integration, e2e) through ctest
#   asan  clang AddressSanitizer + UBSan build of the unit and integration tests and the
#         libFuzzer harnesses (one instrumented library for all), run the tests
#   tsan  ThreadSanitizer build of the unit and integration tests, run them
#   fuzz  with the asan build's fuzzers, replay fuzz/regressions/, then fuzz the seed
#         corpus for FUZZ_SECONDS (default 60) in total
# Pass stage names to run only those (e.g. `scripts/test.sh tsan fuzz`); the time each
# stage took is printed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs="$(nproc)"
fuzz_seconds="${FUZZ_SECONDS:-60}"
stages=("$@")
[ "${#stages[@]}" -gt 0 ] || stages=(dev asan tsan fuzz)

# Newer kernels randomise mmap with more bits than the GCC 12 / LLVM 14 sanitizer runtimes
# expect, which makes them abort at start ("unexpected memory mapping"). Running the
# sanitized binaries without address randomisation avoids that and needs no root.
no_aslr=()
if setarch "$(uname -m)" -R true >/dev/null 2>&1; then
  no_aslr=(setarch "$(uname -m)" -R)
fi

stage_dev() {
  cmake --preset dev
  cmake --build --preset dev -j "$jobs"
  # Tests without a TIMEOUT of their own get 300 s; ctest fails when it finds no tests.
  ctest --preset dev -j "$jobs" --output-on-failure --timeout 300 --no-tests=error
}

# Only the test binaries (and, under asan, the fuzzers): the e2e suite and the executable
# add nothing under a sanitizer that these do not, and would double the build.
stage_sanitizer() {
  local preset="$1"
  local targets=(unit_tests integration_tests)
  [ "$preset" = asan ] && targets+=(request_fuzzer json_body_fuzzer select_fuzzer journal_fuzzer)
  cmake --preset "$preset"
  cmake --build --preset "$preset" -j "$jobs" --target "${targets[@]}"
  "${no_aslr[@]}" ctest --preset "$preset" -L 'unit|integration' -j "$jobs" \
    --output-on-failure --timeout 300 --no-tests=error
}

# The fuzzers come from the asan build (clang, ASan + UBSan, coverage in all of src/).
stage_fuzz() {
  local build=build/asan
  cmake --preset asan
  cmake --build --preset asan -j "$jobs" --target request_fuzzer json_body_fuzzer select_fuzzer \
    journal_fuzzer
  local fuzzer
  for fuzzer in request json select journal; do
    local binary="$build/fuzz/${fuzzer}_fuzzer"
    [ "$fuzzer" = json ] && binary="$build/fuzz/json_body_fuzzer"
    # Every reproducer ever found must keep passing (libFuzzer exits non-zero on a crash).
    local regressions=(fuzz/regressions/"$fuzzer"/*)
    if [ -e "${regressions[0]}" ]; then
      "${no_aslr[@]}" "$binary" -runs=1 "${regressions[@]}"
    fi
    # New inputs go to a scratch directory, so the checked-in corpus stays as it is.
    local scratch="$build/fuzz/corpus-$fuzzer" artifacts="$build/fuzz/artifacts-$fuzzer/"
    mkdir -p "$scratch" "$artifacts"
    # Half of the time for the whole request path, the rest shared by the JSON bodies,
    # Glacier Select's engine and the journal loader.
    local seconds=$((fuzz_seconds / 2))
    [ "$fuzzer" != request ] && seconds=$(((fuzz_seconds - fuzz_seconds / 2) / 3))
    local inputs=("$scratch" "fuzz/corpus/$fuzzer")
    [ -d "fuzz/regressions/$fuzzer" ] && inputs+=("fuzz/regressions/$fuzzer")
    if ! "${no_aslr[@]}" "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" "${inputs[@]}"; then
      echo "fuzz: $fuzzer harness found a crash; reproducer in $artifacts (see fuzz/README.md)" >&2
      ls -l "$artifacts" >&2
      return 1
    fi
  done
}

timings=()
current=""
report() {
  local rc=$?
  [ -z "$current" ] || timings+=("$current FAILED after $((SECONDS - started)) s")
  echo "=== stages (total $SECONDS s, exit $rc):"
  printf '  %s\n' "${timings[@]+"${timings[@]}"}"
}
trap report EXIT

started=$SECONDS
current=deps
bash scripts/install-deps.sh --with-test-clients --with-fuzzing
timings+=("deps $((SECONDS - started)) s")
current=""

for stage in "${stages[@]}"; do
  started=$SECONDS
  current="$stage"
  echo "=== stage $stage"
  case "$stage" in
    dev) stage_dev ;;
    asan | tsan) stage_sanitizer "$stage" ;;
    fuzz) stage_fuzz ;;
    *) echo "unknown stage: $stage (dev, asan, tsan, fuzz)" >&2; exit 2 ;;
  esac
  timings+=("$stage $((SECONDS - started)) s")
  current=""
done

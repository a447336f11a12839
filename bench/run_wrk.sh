#!/usr/bin/env bash
# Request rate and latency of single Glacier operations, measured with wrk, next to nginx
# answering a fixed 202 (bench/nginx/nginx.conf) as the ceiling for InitiateJob, and a
# canned copy of glacier-mock's own response to DescribeJob and to ListJobs (captured in
# the fixture step by bench/nginx/anchor.py) as theirs.
#
#   bash bench/run_wrk.sh                      # build/release/glacier-mock, 5 s runs, 3 reps
#   bash bench/run_wrk.sh --duration 10 --repeat 5 --conns "16 64"
#   bash bench/run_wrk.sh --scenarios "initiate_inventory" --log-levels off --perf /tmp/prof
#
# The server runs with --io-threads 1 pinned to one core (taskset -c SERVER_CPU, default 0),
# wrk with one thread pinned to the other (CLIENT_CPU, default 1); nginx runs with one
# worker pinned like the server. Every run starts from a reset server with a fresh fixture
# (vault "bench"; an archive, a job or 60 jobs as the scenario needs). One glacier-mock is
# started per log level: "off" (the benchmark figure) and "info" (the default: one access
# line per request, written to a file in the temporary directory; --info-log FILE to
# choose, e.g. /dev/null). Runs are interleaved (nginx, then each scenario, per connection
# count and repetition) so that the ratio to nginx compares runs made seconds apart; the
# summary gives medians over the repetitions and the median of the per-repetition ratios
# to the scenario's anchor (its canned copy, else the fixed 202).
#
# Scenarios (bench/wrk/*.lua):
#   initiate_inventory  InitiateJob {"Type":"inventory-retrieval"}               (202)
#   initiate_archive    InitiateJob archive retrieval of a 64 KiB archive        (202)
#   describe_job        DescribeJob of a succeeded inventory job                 (200)
#   list_jobs           ListJobs?limit=50 of a vault with 60 jobs (a full page)  (200)
#   upload_archive      UploadArchive of 64 KiB with its tree hash               (201)
# Default job delays apply (Standard 3 s), so jobs created during a run also complete
# during it, on the server's core, as they would in use.
#
# Output: one line per run, then the summary table; raw results in $TMP/results.tsv (the
# directory is kept with --keep). Needs wrk, nginx (else the comparison is skipped),
# taskset, curl, python3. With --perf DIR, one more run of the first scenario (first log
# level, 16 connections) is recorded with `perf record --call-graph dwarf` and reported
# into DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${GLACIER_MOCK_BIN:-$ROOT/build/release/glacier-mock}"
DURATION=5
CONNS="1 16 64"
REPEAT=3
SCENARIOS="initiate_inventory initiate_archive describe_job list_jobs upload_archive"
LOG_LEVELS="off info"
SERVER_CPU=0
CLIENT_CPU=1
PERF_DIR=""
INFO_LOG=""
KEEP=0
NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"

usage() { sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//; /^set -euo/d'; exit "${1:-0}"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --conns) CONNS="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --scenarios) SCENARIOS="$2"; shift 2 ;;
    --log-levels) LOG_LEVELS="$2"; shift 2 ;;
    --server-cpu) SERVER_CPU="$2"; shift 2 ;;
    --client-cpu) CLIENT_CPU="$2"; shift 2 ;;
    --perf) PERF_DIR="$2"; shift 2 ;;
    --info-log) INFO_LOG="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done

for tool in wrk taskset curl python3; do
  command -v "$tool" >/dev/null || { echo "run_wrk.sh: $tool is missing (apt-get install wrk util-linux curl python3)" >&2; exit 2; }
done
[[ -x "$BIN" ]] || { echo "run_wrk.sh: no server binary at $BIN (cmake --preset release && cmake --build --preset release --target glacier-mock)" >&2; exit 2; }
HAVE_NGINX=1
[[ -x "$NGINX_BIN" ]] || { echo "run_wrk.sh: nginx not found; the nginx comparison is skipped (apt-get install nginx-light)" >&2; HAVE_NGINX=0; }

TMP="$(mktemp -d /tmp/glacier-wrk.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $KEEP -eq 0 ]]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() {  # url: until it answers at all, 5 s at most
  for _ in $(seq 1 500); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.01
  done
  echo "run_wrk.sh: nothing answers at $1" >&2
  return 1
}

cpu_ticks() {  # user+system clock ticks of a process, all its threads
  awk '{print $14 + $15}' "/proc/$1/stat"
}
CLK_TCK="$(getconf CLK_TCK)"

# The 64 KiB upload body and its tree hash (below 1 MiB, the plain SHA-256).
BODY="$TMP/body-64k.bin"
TREE_HASH="$(python3 - "$BODY" <<'EOF'
import hashlib, random, sys
data = random.Random(42).randbytes(64 * 1024)
open(sys.argv[1], "wb").write(data)
print(hashlib.sha256(data).hexdigest())
EOF
)"

declare -A SERVER_PID SERVER_PORT
start_server() {  # level
  local level="$1" port log
  port="$(free_port)"
  log="$TMP/server-$level.log"
  [[ "$level" != "off" && -n "$INFO_LOG" ]] && log="$INFO_LOG"
  taskset -c "$SERVER_CPU" "$BIN" --port "$port" --io-threads 1 --log-level "$level" >>"$log" 2>&1 &
  SERVER_PID[$level]=$!
  SERVER_PORT[$level]=$port
  PIDS+=("$!")
  wait_http "http://127.0.0.1:$port/_mock/health"
}
# Others on a shared machine may stop our servers (a broad pkill); start them again then.
ensure_server() {  # level
  if ! kill -0 "${SERVER_PID[$1]}" 2>/dev/null; then
    echo "run_wrk.sh: the log-$1 server (pid ${SERVER_PID[$1]}) is gone; starting another" >&2
    start_server "$1"
  fi
}
for level in $LOG_LEVELS; do start_server "$level"; done

# Resets a server and builds the fixture of a scenario; prints the environment for wrk.
fixture() {  # port scenario
  python3 - "$1" "$2" "$BODY" "$TREE_HASH" <<'EOF'
import http.client, json, sys
port, scenario, body_file, tree_hash = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
V = {"x-amz-glacier-version": "2012-06-01"}
def call(method, path, body=None, headers=None, expect=None):
    conn.request(method, path, body=body, headers={**V, **(headers or {})})
    r = conn.getresponse()
    data = r.read()
    if expect and r.status != expect:
        sys.exit(f"fixture: {method} {path} answered {r.status}: {data[:300]!r}")
    return r, data
call("POST", "/_mock/reset", expect=200)
call("PUT", "/-/vaults/bench", expect=201)
if scenario == "initiate_archive":
    r, _ = call("POST", "/-/vaults/bench/archives", open(body_file, "rb").read(),
                {"x-amz-sha256-tree-hash": tree_hash, "x-amz-content-sha256": tree_hash},
                expect=201)  # the body is at most 1 MiB: its tree hash is its SHA-256
    print("GLACIER_ARCHIVE_ID=" + r.getheader("x-amz-archive-id"))
elif scenario == "describe_job":
    r, _ = call("POST", "/-/vaults/bench/jobs", '{"Type":"inventory-retrieval"}', expect=202)
    job = r.getheader("x-amz-job-id")
    call("POST", f"/_mock/jobs/{job}/complete", expect=200)
    print("GLACIER_JOB_ID=" + job)
elif scenario == "list_jobs":
    for _ in range(60):
        r, _ = call("POST", "/-/vaults/bench/jobs", '{"Type":"inventory-retrieval"}', expect=202)
        call("POST", f"/_mock/jobs/{r.getheader('x-amz-job-id')}/complete", expect=200)
EOF
}

# DescribeJob and ListJobs are compared with nginx answering the bytes glacier-mock answers
# them with in their fixture (captured from the first server by bench/nginx/anchor.py), each
# on a port of its own; bench/nginx/nginx.conf includes anchors/*.conf.
declare -A ANCHOR_PORT
first_level="$(awk '{print $1}' <<<"$LOG_LEVELS")"
NGINX_PORT=""
NGINX_WORKER=""
if [[ $HAVE_NGINX -eq 1 ]]; then
  NGINX_PORT="$(free_port)"
  mkdir -p "$TMP/nginx/anchors"
  for scenario in $SCENARIOS; do
    case "$scenario" in describe_job|list_jobs) ;; *) continue ;; esac
    ANCHOR_PORT[$scenario]="$(free_port)"
    fixture "${SERVER_PORT[$first_level]}" "$scenario" |
      python3 "$ROOT/bench/nginx/anchor.py" "${SERVER_PORT[$first_level]}" "$scenario" \
        "$TMP/nginx/anchors/$scenario.conf" "${ANCHOR_PORT[$scenario]}"
  done
  sed "s/127\.0\.0\.1:8089/127.0.0.1:$NGINX_PORT/" "$ROOT/bench/nginx/nginx.conf" >"$TMP/nginx/nginx.conf"
  taskset -c "$SERVER_CPU" "$NGINX_BIN" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" >"$TMP/nginx/out.log" 2>&1 &
  PIDS+=("$!")
  NGINX_MASTER=$!
  wait_http "http://127.0.0.1:$NGINX_PORT/"
  NGINX_WORKER="$(pgrep -P "$NGINX_MASTER" | head -1)"
fi

RESULTS="$TMP/results.tsv"
printf 'target\tscenario\tconns\trep\trps\tp50_us\tp99_us\tmax_us\terrors\tcpu_pct\tcpu_us_per_req\n' >"$RESULTS"

# target scenario conns rep port cpu_pid [extra wrk env...]
run_one() {
  local target="$1" scenario="$2" conns="$3" rep="$4" port="$5" cpu_pid="$6"
  shift 6
  local before after line
  before="$(cpu_ticks "$cpu_pid")"
  line="$(env "$@" GLACIER_BODY_FILE="$BODY" GLACIER_TREE_HASH="$TREE_HASH" \
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 10s --latency \
    -s "$ROOT/bench/wrk/$scenario.lua" "http://127.0.0.1:$port" | grep '^WRKRESULT' || true)"
  after="$(cpu_ticks "$cpu_pid" 2>/dev/null || true)"
  if [[ -z "$after" ]]; then
    echo "run_wrk.sh: the server of $target died during $scenario c=$conns rep $rep; run dropped" >&2
    return 1
  fi
  if [[ -z "$line" ]]; then
    echo "run_wrk.sh: wrk gave no result for $target $scenario c=$conns" >&2
    return 1
  fi
  local rps p50 p99 max errors cpu requests cpu_req
  rps="$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<<"$line")"
  p50="$(sed -E 's/.* p50_us=([0-9]+).*/\1/' <<<"$line")"
  p99="$(sed -E 's/.* p99_us=([0-9]+).*/\1/' <<<"$line")"
  max="$(sed -E 's/.* max_us=([0-9]+).*/\1/' <<<"$line")"
  errors="$(awk '{s=0; for (i=2;i<=NF;i++) if ($i ~ /^errors_/) {split($i,a,"="); s+=a[2]} print s}' <<<"$line")"
  requests="$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")"
  cpu="$(awk -v b="$before" -v a="$after" -v t="$CLK_TCK" -v d="$DURATION" 'BEGIN{printf "%.0f", 100*(a-b)/t/d}')"
  cpu_req="$(awk -v b="$before" -v a="$after" -v t="$CLK_TCK" -v n="$requests" 'BEGIN{printf "%.1f", n ? 1e6*(a-b)/t/n : 0}')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$scenario" "$conns" "$rep" "$rps" \
    "$p50" "$p99" "$max" "$errors" "$cpu" "$cpu_req" >>"$RESULTS"
  printf '%-12s %-19s c=%-3s rep %s: %9.0f req/s  p50 %6s us  p99 %6s us  errors %s  server cpu %3s%% = %6s us/req\n' \
    "$target" "$scenario" "$conns" "$rep" "$rps" "$p50" "$p99" "$errors" "$cpu" "$cpu_req"
}

echo "glacier-mock: $BIN ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && [[ -n "$(git status --porcelain -- src include 2>/dev/null)" ]] && echo ', src/include modified' || true))"
echo "server on cpu $SERVER_CPU (--io-threads 1), wrk -t1 on cpu $CLIENT_CPU; ${DURATION} s per run, $REPEAT repetitions"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

for rep in $(seq 1 "$REPEAT"); do
  for conns in $CONNS; do
    if [[ $HAVE_NGINX -eq 1 ]]; then
      # The InitiateJob script: nginx gets the same request bytes as glacier-mock.
      run_one nginx initiate_inventory "$conns" "$rep" "$NGINX_PORT" "$NGINX_WORKER" || true
    fi
    for scenario in $SCENARIOS; do
      if [[ -n "${ANCHOR_PORT[$scenario]:-}" ]]; then
        # The scenario's own script and request bytes (the fixture's job id) against its anchor.
        mapfile -t envs < <(fixture "${SERVER_PORT[$first_level]}" "$scenario")
        run_one nginx "$scenario" "$conns" "$rep" "${ANCHOR_PORT[$scenario]}" "$NGINX_WORKER" \
          "${envs[@]}" || true
      fi
      for level in $LOG_LEVELS; do
        ensure_server "$level"
        port="${SERVER_PORT[$level]}"
        mapfile -t envs < <(fixture "$port" "$scenario")
        run_one "log-$level" "$scenario" "$conns" "$rep" "$port" "${SERVER_PID[$level]}" "${envs[@]}" || true
      done
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RESULTS" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
# Each scenario's anchor: nginx's canned copy of its response where the run has one (DescribeJob,
# ListJobs), else nginx's fixed 202 (the initiate_inventory row).
def anchor(table, r):
    own = (r["scenario"], r["conns"], r["rep"])
    return table.get(own, table.get(("initiate_inventory", r["conns"], r["rep"])))
nginx = {(r["scenario"], r["conns"], r["rep"]): float(r["rps"]) for r in rows if r["target"] == "nginx"}
groups = {}
for r in rows:
    groups.setdefault((r["target"], r["scenario"], int(r["conns"])), []).append(r)
med = statistics.median
print()
nginx_cpu = {(r["scenario"], r["conns"], r["rep"]): float(r["cpu_us_per_req"])
             for r in rows if r["target"] == "nginx"}
print("| target | scenario | conns | req/s (median) | runs req/s | p50 ms | p99 ms | server CPU | CPU us/req | vs nginx req/s | vs nginx CPU cost | errors |")
print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for (target, scenario, conns), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
    ratios = [float(r["rps"]) / anchor(nginx, r) for r in rs
              if anchor(nginx, r) and target != "nginx"]
    cost = [anchor(nginx_cpu, r) / float(r["cpu_us_per_req"]) for r in rs
            if anchor(nginx_cpu, r) and target != "nginx" and float(r["cpu_us_per_req"]) > 0]
    print("| {} | {} | {} | {:.0f} | {} | {:.3f} | {:.3f} | {:.0f}% | {:.1f} | {} | {} | {} |".format(
        target, scenario, conns, med(float(r["rps"]) for r in rs),
        ", ".join("{:.0f}".format(float(r["rps"])) for r in rs),
        med(int(r["p50_us"]) for r in rs) / 1000, med(int(r["p99_us"]) for r in rs) / 1000,
        med(float(r["cpu_pct"]) for r in rs), med(float(r["cpu_us_per_req"]) for r in rs),
        "{:.0%}".format(med(ratios)) if ratios else "",
        "{:.0%}".format(med(cost)) if cost else "",
        sum(int(r["errors"]) for r in rs)))
EOF

if [[ -n "$PERF_DIR" ]]; then
  command -v perf >/dev/null || { echo "run_wrk.sh: perf is missing (apt-get install linux-perf)" >&2; exit 0; }
  mkdir -p "$PERF_DIR"
  level="$(awk '{print $1}' <<<"$LOG_LEVELS")"
  scenario="$(awk '{print $1}' <<<"$SCENARIOS")"
  ensure_server "$level"
  port="${SERVER_PORT[$level]}"
  mapfile -t envs < <(fixture "$port" "$scenario")
  perf record -F 999 --call-graph dwarf,16384 -p "${SERVER_PID[$level]}" \
    -o "$PERF_DIR/$scenario.perf.data" -- sleep "$DURATION" 2>"$PERF_DIR/perf-record.log" &
  perf_pid=$!
  sleep 0.2
  run_one "log-$level" "$scenario" 16 perf "$port" "${SERVER_PID[$level]}" "${envs[@]}" || true
  wait "$perf_pid" || true
  # perf pads the symbol column to the longest name; squeeze the blanks.
  perf report -i "$PERF_DIR/$scenario.perf.data" --stdio --no-children --percent-limit 0.5 \
    --sort symbol -g none 2>/dev/null | sed -E 's/ {2,}/ /g' >"$PERF_DIR/$scenario.self.txt" || true
  perf report -i "$PERF_DIR/$scenario.perf.data" --stdio --children --percent-limit 1 \
    --sort symbol -g none 2>/dev/null | sed -E 's/ {2,}/ /g' >"$PERF_DIR/$scenario.children.txt" || true
  echo "perf profile: $PERF_DIR/$scenario.self.txt (self time), .children.txt (inclusive)"
fi

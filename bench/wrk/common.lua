-- Shared by the glacier-mock wrk scripts: the version header every Glacier call needs,
-- and a done() that prints one machine-readable line for bench/run_wrk.sh and
-- bench/jobs_scale.py (latencies in microseconds).
--
-- Loaded with dofile() from the scripts next to it.

wrk.headers["x-amz-glacier-version"] = "2012-06-01"

-- Environment knobs shared by the scripts; the run scripts set them.
glacier_vault = os.getenv("GLACIER_VAULT") or "bench"
glacier_account = os.getenv("GLACIER_ACCOUNT") or "-"

function glacier_path(suffix)
  return "/" .. glacier_account .. "/vaults/" .. glacier_vault .. suffix
end

function require_env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    io.stderr:write("wrk script: environment variable " .. name .. " is not set\n")
    os.exit(2)
  end
  return value
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "mean_us=%.1f errors_connect=%d errors_read=%d errors_write=%d errors_status=%d " ..
    "errors_timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end

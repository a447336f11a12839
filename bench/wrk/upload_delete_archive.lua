-- UploadArchive of the bytes in GLACIER_BODY_FILE (1 MiB in bench/throughput.py) with their
-- tree hash GLACIER_TREE_HASH (at most 1 MiB: the plain SHA-256), each archive deleted again
-- by a later request, so a run at 1,000 uploads per second does not hold gigabytes. The
-- rate that counts is the uploads' (201 answers), printed as UPLOADS by done().
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local file = io.open(require_env("GLACIER_BODY_FILE"), "rb")
local body = file:read("*a")
file:close()

local tree_hash = require_env("GLACIER_TREE_HASH")
-- Formatted once: building a 1 MiB request string per call would cost the client more
-- than the server spends on it.
-- wrk.format uses the headers given instead of wrk.headers, so they are copied in.
local upload_headers = {}
for name, value in pairs(wrk.headers) do upload_headers[name] = value end
upload_headers["x-amz-sha256-tree-hash"] = tree_hash
upload_headers["x-amz-content-sha256"] = tree_hash
upload_headers["Content-Type"] = "application/octet-stream"
local upload = wrk.format("POST", glacier_path("/archives"), upload_headers, body)

local to_delete = {}
uploads = 0
failures = 0

function request()
  local id = table.remove(to_delete)
  if id then return wrk.format("DELETE", glacier_path("/archives/" .. id)) end
  return upload
end

function response(status, headers, _)
  if status == 201 then
    uploads = uploads + 1
    local id = headers["x-amz-archive-id"] or headers["X-Amz-Archive-Id"]
    if id then table.insert(to_delete, id) end
  elseif status ~= 204 then
    failures = failures + 1
  end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

local common_done = done
function done(summary, latency, requests)
  common_done(summary, latency, requests)
  local total, failed = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("uploads")
    failed = failed + t:get("failures")
  end
  io.write(string.format("UPLOADS uploads=%d failures=%d duration_us=%d uploads_per_s=%.1f\n",
    total, failed, summary.duration, total / (summary.duration / 1e6)))
end

-- InitiateJob (inventory retrieval) en masse, for bench/jobs_scale.py. Two modes:
--
-- * GLACIER_COUNT=N: stops once N jobs were accepted, prints
--     FILLRESULT accepted=N elapsed_us=T rejected=R
--   and exits at once (wrk itself would sleep until -d is over). Use ONE wrk thread (-t1)
--   and -d as an upper bound. A few more than N may be accepted (requests in flight).
-- * no GLACIER_COUNT: runs for wrk's -d and prints the same line from done().
--
--   GLACIER_TIER          the jobs' tier (decides their due time); default none = Standard
--   GLACIER_SAMPLE_EVERY  with GLACIER_SAMPLE_FILE: every N-th accepted job id is written
--                         to that file, one per line, at the end
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } glacier_timespec;
  int clock_gettime(int clk_id, glacier_timespec* tp);
]]
local function now_us()
  local ts = ffi.new("glacier_timespec")
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local count = tonumber(os.getenv("GLACIER_COUNT") or "")
local tier = os.getenv("GLACIER_TIER")
local sample_every = tonumber(os.getenv("GLACIER_SAMPLE_EVERY") or "0")
local sample_file = os.getenv("GLACIER_SAMPLE_FILE")

wrk.method = "POST"
wrk.path = glacier_path("/jobs")
if tier and tier ~= "" then
  wrk.body = '{"Type":"inventory-retrieval","Tier":"' .. tier .. '"}'
else
  wrk.body = '{"Type":"inventory-retrieval"}'
end
wrk.headers["Content-Type"] = "application/json"

local function write_samples(list)
  if not sample_file or sample_file == "" then return end
  local out = io.open(sample_file, "w")
  if #list > 0 then out:write(table.concat(list, "\n"), "\n") end
  out:close()
end

-- Main state: the threads, so that done() can collect their samples.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Thread state.
started, accepted, rejected = nil, 0, 0
sampled = {}

function init(args)
  started = now_us()
end

function response(status, headers, body)
  if status == 202 then
    accepted = accepted + 1
    if sample_every > 0 and accepted % sample_every == 0 then
      sampled[#sampled + 1] = headers["x-amz-job-id"]
    end
  else
    rejected = rejected + 1
  end
  if count and accepted >= count then
    write_samples(sampled)
    io.write(string.format("FILLRESULT accepted=%d elapsed_us=%d rejected=%d\n", accepted,
                           now_us() - started, rejected))
    io.flush()
    os.exit(0)
  end
end

function done(summary, latency, requests)
  local all, total_accepted, total_rejected = {}, 0, 0
  for _, t in ipairs(threads) do
    total_accepted = total_accepted + t:get("accepted")
    total_rejected = total_rejected + t:get("rejected")
    for _, id in ipairs(t:get("sampled")) do all[#all + 1] = id end
  end
  write_samples(all)
  io.write(string.format("FILLRESULT accepted=%d elapsed_us=%d rejected=%d\n", total_accepted,
                         summary.duration, total_rejected))
end

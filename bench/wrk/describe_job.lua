-- DescribeJob: GET /-/vaults/{vault}/jobs/{id}, of the job in GLACIER_JOB_ID, or of the
-- ids in the file GLACIER_JOB_IDS_FILE (one per line) in turn, so that a big store is not
-- measured through one hot cache line.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

wrk.method = "GET"

local ids_file = os.getenv("GLACIER_JOB_IDS_FILE")
if ids_file and ids_file ~= "" then
  local paths = {}
  for line in io.lines(ids_file) do
    if line ~= "" then paths[#paths + 1] = glacier_path("/jobs/" .. line) end
  end
  local next_index = 0
  function request()
    next_index = next_index % #paths + 1
    return wrk.format(nil, paths[next_index])
  end
else
  wrk.path = glacier_path("/jobs/" .. require_env("GLACIER_JOB_ID"))
end

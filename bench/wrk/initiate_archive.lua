-- InitiateJob, archive retrieval of the archive in GLACIER_ARCHIVE_ID (uploaded by the run
-- script beforehand): POST /-/vaults/{vault}/jobs. Tier from GLACIER_TIER (default Standard).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local archive_id = require_env("GLACIER_ARCHIVE_ID")
local tier = os.getenv("GLACIER_TIER") or "Standard"

wrk.method = "POST"
wrk.path = glacier_path("/jobs")
wrk.body = '{"Type":"archive-retrieval","ArchiveId":"' .. archive_id .. '","Tier":"' .. tier .. '"}'
wrk.headers["Content-Type"] = "application/json"

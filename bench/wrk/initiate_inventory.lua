-- InitiateJob, inventory retrieval: POST /-/vaults/{vault}/jobs {"Type":"inventory-retrieval"}.
-- Answers 202 with Location and x-amz-job-id.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

wrk.method = "POST"
wrk.path = glacier_path("/jobs")
wrk.body = '{"Type":"inventory-retrieval"}'
wrk.headers["Content-Type"] = "application/json"

-- InitiateJob (inventory retrieval) with a SigV4 Authorization header computed by
-- bench/auth_overhead.py; every request is the same signed request, valid for 5 minutes.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

wrk.method = "POST"
wrk.path = glacier_path("/jobs")
wrk.body = '{"Type":"inventory-retrieval"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Host"] = require_env("GLACIER_HOST")
wrk.headers["X-Amz-Date"] = require_env("GLACIER_AMZ_DATE")
wrk.headers["Authorization"] = require_env("GLACIER_AUTHORIZATION")

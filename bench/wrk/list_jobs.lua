-- ListJobs, one page: GET /-/vaults/{vault}/jobs?limit=N with N from GLACIER_LIST_LIMIT
-- (default 50). GLACIER_LIST_QUERY adds query parameters (e.g. "&statuscode=Succeeded" or
-- "&marker=ID").
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

wrk.method = "GET"
wrk.path = glacier_path("/jobs?limit=" .. (os.getenv("GLACIER_LIST_LIMIT") or "50") ..
                        (os.getenv("GLACIER_LIST_QUERY") or ""))

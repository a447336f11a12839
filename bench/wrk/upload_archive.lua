-- UploadArchive of the bytes in the file GLACIER_BODY_FILE (64 KiB by default in
-- bench/run_wrk.sh) with their precomputed tree hash GLACIER_TREE_HASH (for a body of at
-- most 1 MiB the tree hash is the plain SHA-256). Every request stores a new archive, so
-- the run script resets the server after each run.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local file = io.open(require_env("GLACIER_BODY_FILE"), "rb")
local body = file:read("*a")
file:close()

wrk.method = "POST"
wrk.path = glacier_path("/archives")
wrk.body = body
wrk.headers["x-amz-sha256-tree-hash"] = require_env("GLACIER_TREE_HASH")
wrk.headers["x-amz-content-sha256"] = require_env("GLACIER_TREE_HASH")
wrk.headers["Content-Type"] = "application/octet-stream"

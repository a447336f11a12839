-- DeleteArchive of an archive already deleted (idempotent 204), so every request does the
-- same work and only the vault's policies differ between runs.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

wrk.method = "DELETE"
wrk.path = glacier_path("/archives/" .. require_env("GLACIER_ARCHIVE_ID"))

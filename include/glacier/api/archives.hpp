#pragma once

#include "glacier/api/call.hpp"

namespace glacier::api {

/// POST /{account}/vaults/{vault}/archives
http::response upload_archive(call& c);
/// DELETE /{account}/vaults/{vault}/archives/{archive_id}
http::response delete_archive(call& c);

}  // namespace glacier::api

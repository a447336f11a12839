#pragma once

#include "glacier/api/call.hpp"

namespace glacier::api {

/// POST /{account}/vaults/{vault}/multipart-uploads
http::response initiate_multipart_upload(call& c);
/// PUT /{account}/vaults/{vault}/multipart-uploads/{upload_id}
http::response upload_multipart_part(call& c);
/// POST /{account}/vaults/{vault}/multipart-uploads/{upload_id}
http::response complete_multipart_upload(call& c);
/// DELETE /{account}/vaults/{vault}/multipart-uploads/{upload_id}
http::response abort_multipart_upload(call& c);
/// GET /{account}/vaults/{vault}/multipart-uploads
http::response list_multipart_uploads(call& c);
/// GET /{account}/vaults/{vault}/multipart-uploads/{upload_id}
http::response list_parts(call& c);

}  // namespace glacier::api

#pragma once

#include <string>
#include <utility>
#include <vector>

#include "glacier/store/model/select_request.hpp"

namespace glacier::select {

/// The PutObject headers that carry an S3Location's settings to S3: encryption
/// (x-amz-server-side-encryption...), CannedACL (x-amz-acl), AccessControlList
/// (x-amz-grant-...), Tagging (x-amz-tagging), UserMetadata (x-amz-meta-*) and
/// StorageClass (x-amz-storage-class).
std::vector<std::pair<std::string, std::string>> put_object_headers(const s3_output_location& l);

}  // namespace glacier::select

#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "glacier/api/call.hpp"
#include "glacier/aws/tree_hash.hpp"

namespace glacier::api {

/// The SHA-256 of the request body, computed on first use and kept on the call: the
/// x-amz-content-sha256 check, a small body's tree hash and SigV4's payload hash share one
/// pass over the bytes.
const digest& body_sha256(call& c);

/// UploadArchive and UploadMultipartPart, in every authentication mode (spec Part 1 §14):
/// x-amz-content-sha256 must be sent (else 400 MissingParameterValueException) and must be
/// the body's SHA-256 (else AWS's 403 InvalidSignatureException "The value passed in as
/// x-amz-content-sha256 does not match the computed payload hash. ...", Part 3A.3).
void verify_content_sha256(call& c);

/// The mismatch half of verify_content_sha256, for any operation: returns false when the
/// header is absent, throws when it is not the body's SHA-256.
bool check_content_sha256_if_sent(call& c);

/// The x-amz-sha256-tree-hash header as sent; MissingParameterValueException when absent.
std::string_view tree_hash_header(const call& c);

/// CompleteMultipartUpload's x-amz-sha256-tree-hash as a digest: tree_hash_header(), and
/// InvalidParameterValueException "Invalid x-amz-sha256-tree-hash: <value>" when it is not
/// 64 lowercase hex digits.
digest required_tree_hash_header(const call& c);

/// The x-amz-archive-description header, checked against the description rules.
std::optional<std::string> archive_description_header(const call& c);

/// Verifies that the body's tree hash is `sent` (the x-amz-sha256-tree-hash of an upload);
/// else AWS's "Checksum mismatch: expected <sent>, computed <ours>", also when `sent` is not
/// 64 lowercase hex digits (compared as text, like x-amz-content-sha256). A body of one tree-hash
/// chunk or less reuses body_sha256(), which is its tree hash. Returns the computed hash.
digest verify_body_tree_hash(call& c, std::string_view sent);

}  // namespace glacier::api

#include "glacier/api/multipart.hpp"

#include <charconv>

#include "glacier/api/checksum_headers.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/api/vaults.hpp"
#include "glacier/core/decimal.hpp"
#include "glacier/core/error.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

namespace {

std::uint64_t part_size_header(const call& c) {
  const auto text = c.header("x-amz-part-size");
  std::uint64_t size = 0;
  if (!parse_decimal_u64(text, size) || !is_valid_part_size(size)) {
    throw error(error_code::invalid_parameter_value,
                "Invalid part size: " + (text.empty() ? std::string("null") : std::string(text)) +
                    ". Part size must not be null, must be a power of two and be between "
                    "1048576 and 4294967296 bytes.");
  }
  return size;
}

/// "bytes S-E/*" as sent with each part.
std::pair<std::uint64_t, std::uint64_t> content_range_header(const call& c) {
  const auto text = c.header("Content-Range");
  if (text.empty()) {
    throw error(error_code::missing_parameter_value, "Required parameter missing: Content-Range");
  }
  const auto invalid = [&] {
    return error(error_code::invalid_parameter_value,
                 "Invalid Content-Range: " + std::string(text));
  };
  if (!text.starts_with("bytes ") || !text.ends_with("/*")) throw invalid();
  const auto range = text.substr(6, text.size() - 8);
  const auto dash = range.find('-');
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  if (dash == std::string_view::npos || !parse_decimal_u64(range.substr(0, dash), start) ||
      !parse_decimal_u64(range.substr(dash + 1), end) || end < start) {
    throw invalid();
  }
  return {start, end};
}

nlohmann::ordered_json description_json(const std::optional<std::string>& description) {
  return description ? nlohmann::ordered_json(*description) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json marker_json(const std::optional<std::string>& marker) {
  return marker ? nlohmann::ordered_json(*marker) : nlohmann::ordered_json(nullptr);
}

}  // namespace

http::response initiate_multipart_upload(call& c) {
  const auto& vault = existing_vault_name(c);
  const auto part_size = part_size_header(c);
  auto description = archive_description_header(c);
  // The docs: leading spaces of a multipart upload's description are removed.
  if (description) description->erase(0, description->find_first_not_of(' '));
  const auto upload =
      c.services.store.initiate_upload(c.scope, vault, std::move(description), part_size);
  auto r = empty_response(201);
  r.headers["Location"] =
      "/" + c.scope.account + "/vaults/" + vault + "/multipart-uploads/" + upload.id;
  r.headers["x-amz-multipart-upload-id"] = upload.id;
  return r;
}

http::response upload_multipart_part(call& c) {
  verify_content_sha256(c);  // first, as AWS's authentication does (see upload_archive)
  const auto& vault = existing_vault_name(c);
  const auto [start, end] = content_range_header(c);
  if (c.request.body.size() != end - start + 1) {
    // AWS's wording, seen in several public reports (README, "Fidelity notes").
    throw error(
        error_code::invalid_parameter_value,
        "Content-Range: bytes " + std::to_string(start) + "-" + std::to_string(end) +
            "/* is incompatible with Content-Length: " + std::to_string(c.request.body.size()));
  }
  const auto computed = verify_body_tree_hash(c, tree_hash_header(c));
  multipart_part part{std::make_shared<const std::string>(std::move(c.request.body)), computed};
  c.services.store.upload_part(c.scope, vault, c.path("upload_id"), start, end, std::move(part));
  auto r = empty_response(204);
  r.headers["x-amz-sha256-tree-hash"] = to_hex(computed);
  return r;
}

http::response complete_multipart_upload(call& c) {
  const auto& vault = existing_vault_name(c);
  const auto size_text = c.header("x-amz-archive-size");
  if (size_text.empty()) {
    throw error(error_code::missing_parameter_value,
                "Required parameter missing: x-amz-archive-size");
  }
  std::uint64_t size = 0;
  if (!parse_decimal_u64(size_text, size)) {
    throw error(error_code::invalid_parameter_value,
                "Invalid x-amz-archive-size: " + std::string(size_text));
  }
  const auto expected = required_tree_hash_header(c);
  const auto stored =
      c.services.store.complete_upload(c.scope, vault, c.path("upload_id"), size, expected);
  auto r = empty_response(201);
  r.headers["Location"] = "/" + c.scope.account + "/vaults/" + vault + "/archives/" + stored.id;
  r.headers["x-amz-archive-id"] = stored.id;
  r.headers["x-amz-sha256-tree-hash"] = stored.tree_hash;
  return r;
}

http::response abort_multipart_upload(call& c) {
  c.services.store.abort_upload(c.scope, existing_vault_name(c), c.path("upload_id"));
  return empty_response(204);
}

http::response list_multipart_uploads(call& c) {
  const auto& vault = existing_vault_name(c);
  const auto limit = parse_limit(c, 50, 50);
  const auto result = c.services.store.list_uploads(c.scope, vault, marker_parameter(c), limit);
  nlohmann::ordered_json body;
  body["Marker"] = marker_json(result.marker);
  body["UploadsList"] = nlohmann::ordered_json::array();
  for (const auto& u : result.items) {
    nlohmann::ordered_json item;
    item["ArchiveDescription"] = description_json(u.description);
    item["CreationDate"] = format_iso8601(u.creation_date);
    item["MultipartUploadId"] = u.id;
    item["PartSizeInBytes"] = u.part_size;
    item["VaultARN"] = u.vault_arn;
    body["UploadsList"].push_back(std::move(item));
  }
  return json_response(200, body);
}

http::response list_parts(call& c) {
  const auto& vault = existing_vault_name(c);
  const auto limit = parse_limit(c, 50, 50);
  const auto [upload, parts] =
      c.services.store.list_parts(c.scope, vault, c.path("upload_id"), marker_parameter(c), limit);
  nlohmann::ordered_json body;
  body["ArchiveDescription"] = description_json(upload.description);
  body["CreationDate"] = format_iso8601(upload.creation_date);
  body["Marker"] = marker_json(parts.marker);
  body["MultipartUploadId"] = upload.id;
  body["PartSizeInBytes"] = upload.part_size;
  body["Parts"] = nlohmann::ordered_json::array();
  for (const auto& p : parts.items) {
    nlohmann::ordered_json item;
    item["RangeInBytes"] = std::to_string(p.start) + "-" + std::to_string(p.end);
    item["SHA256TreeHash"] = p.tree_hash;
    body["Parts"].push_back(std::move(item));
  }
  body["VaultARN"] = upload.vault_arn;
  return json_response(200, body);
}

}  // namespace glacier::api

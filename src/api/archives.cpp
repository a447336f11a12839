#include "glacier/api/archives.hpp"

#include "glacier/api/checksum_headers.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/api/vaults.hpp"
#include "glacier/aws/tree_hash.hpp"
#include "glacier/core/error.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

http::response upload_archive(call& c) {
  // The payload hash belongs to authentication, which AWS settles before it looks at the
  // vault (spec Part 3A.3, 3A.5); then a missing vault is a 404, whatever the body.
  verify_content_sha256(c);
  const auto& vault = existing_vault_name(c);
  c.services.store.describe_vault(c.scope, vault);
  auto description = archive_description_header(c);
  const auto sent_tree_hash = tree_hash_header(c);
  if (!c.request.headers.contains("Content-Length")) {
    // Required on this operation alone (the developer guide's common request headers), so a
    // body sent chunked is refused; the answer is chosen as for x-amz-content-sha256 (README).
    throw error(error_code::missing_parameter_value, "Required parameter missing: Content-Length");
  }
  const auto size = c.request.body.size();
  if (size == 0 || size > c.services.cfg.max_upload_bytes) {
    // AWS's exact wording (spec Part 2 §1, Archives), whichever bound is passed.
    throw error(error_code::invalid_parameter_value,
                "Invalid Content-Length: " + std::to_string(size));
  }
  const auto computed = verify_body_tree_hash(c, sent_tree_hash);
  // The body moves into shared immutable storage: no copy of the archive bytes is made.
  auto data = std::make_shared<const std::string>(std::move(c.request.body));
  const auto stored = c.services.store.add_archive(c.scope, vault, std::move(description),
                                                   std::move(data), to_hex(computed));
  auto r = empty_response(201);
  r.headers["Location"] = "/" + c.scope.account + "/vaults/" + vault + "/archives/" + stored.id;
  r.headers["x-amz-archive-id"] = stored.id;
  r.headers["x-amz-sha256-tree-hash"] = stored.tree_hash;
  return r;
}

http::response delete_archive(call& c) {
  c.services.store.delete_archive(c.scope, existing_vault_name(c), c.path("archive_id"));
  return empty_response(204);
}

}  // namespace glacier::api

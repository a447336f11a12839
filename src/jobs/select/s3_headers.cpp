#include "glacier/jobs/select/s3_headers.hpp"

#include <openssl/evp.h>

#include <map>

#include "glacier/aws/sns_client.hpp"

namespace glacier::select {

namespace {

std::string base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> put_object_headers(const s3_output_location& l) {
  std::vector<std::pair<std::string, std::string>> h;
  if (l.encryption_type) {
    h.emplace_back("x-amz-server-side-encryption", *l.encryption_type);
    if (l.kms_key_id) h.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", *l.kms_key_id);
    // S3 takes the encryption context as base64 of its JSON text.
    if (l.kms_context)
      h.emplace_back("x-amz-server-side-encryption-context", base64(*l.kms_context));
  }
  if (l.canned_acl) h.emplace_back("x-amz-acl", *l.canned_acl);
  // One header per permission, listing its grantees. An object has no WRITE permission of
  // its own (PutObject has no x-amz-grant-write), so a WRITE grant adds nothing to it.
  std::map<std::string, std::string> grants;
  for (const auto& g : l.access_control_list) {
    std::string grantee;
    if (g.grantee_type == "CanonicalUser") grantee = "id=\"" + g.id.value_or("") + "\"";
    if (g.grantee_type == "AmazonCustomerByEmail") {
      grantee = "emailAddress=\"" + g.email_address.value_or("") + "\"";
    }
    if (g.grantee_type == "Group") grantee = "uri=\"" + g.uri.value_or("") + "\"";
    std::string header;
    if (g.permission == "FULL_CONTROL") header = "x-amz-grant-full-control";
    if (g.permission == "READ") header = "x-amz-grant-read";
    if (g.permission == "READ_ACP") header = "x-amz-grant-read-acp";
    if (g.permission == "WRITE_ACP") header = "x-amz-grant-write-acp";
    if (header.empty()) continue;
    auto& value = grants[header];
    value += (value.empty() ? "" : ", ") + grantee;
  }
  for (auto& [name, value] : grants) h.emplace_back(name, std::move(value));
  if (!l.tagging.empty()) {
    std::string tags;
    for (const auto& [k, v] : l.tagging) {
      tags += (tags.empty() ? "" : "&") + form_urlencode(k) + "=" + form_urlencode(v);
    }
    h.emplace_back("x-amz-tagging", std::move(tags));
  }
  for (const auto& [k, v] : l.user_metadata) h.emplace_back("x-amz-meta-" + k, v);
  if (l.storage_class) h.emplace_back("x-amz-storage-class", *l.storage_class);
  return h;
}

}  // namespace glacier::select

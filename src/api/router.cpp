#include "glacier/api/router.hpp"

#include <boost/url/params_view.hpp>

#include "glacier/api/account.hpp"
#include "glacier/api/archives.hpp"
#include "glacier/api/jobs.hpp"
#include "glacier/api/multipart.hpp"
#include "glacier/api/vault_config.hpp"
#include "glacier/api/vaults.hpp"

namespace glacier::api {

namespace {

std::vector<std::string_view> split_pattern(std::string_view pattern) {
  std::vector<std::string_view> parts;
  std::size_t start = 1;  // patterns begin with '/'
  while (start <= pattern.size()) {
    const auto slash = pattern.find('/', start);
    const auto end = slash == std::string_view::npos ? pattern.size() : slash;
    parts.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool query_satisfied(std::string_view required, const boost::urls::url_view& url) {
  if (required.empty()) return true;
  const auto eq = required.find('=');
  const auto key = required.substr(0, eq);
  const auto value = required.substr(eq + 1);
  const auto params = url.params();
  const auto it = params.find(key);
  return it != params.end() && (*it).value == value;
}

}  // namespace

route_table::route_table(std::vector<route> routes) {
  routes_.reserve(routes.size());
  for (const auto& r : routes) routes_.push_back({r, split_pattern(r.pattern)});
}

route_match route_table::match(std::string_view method, const std::vector<std::string>& segments,
                               const boost::urls::url_view& url) const {
  route_match result;
  for (const auto& [r, parts] : routes_) {
    if (parts.size() != segments.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const auto part = parts[i];
      const bool parameter = part.size() > 2 && part.front() == '{' && part.back() == '}';
      ok = parameter ? !segments[i].empty() : part == segments[i];
    }
    if (!ok) continue;
    result.path_known = true;
    if (r.method != method || !query_satisfied(r.required_query, url)) continue;
    result.matched = &r;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (parts[i].front() == '{') {
        result.parameters.emplace_back(parts[i].substr(1, parts[i].size() - 2), segments[i]);
      }
    }
    return result;
  }
  return result;
}

const route_table& glacier_routes() {
  // One line per operation, in the API reference's (alphabetical) order. The first route
  // whose path, method and required query match wins.
  static const route_table table({
      {"DELETE", "/{account}/vaults/{vault}/multipart-uploads/{upload_id}", "",
       "AbortMultipartUpload", abort_multipart_upload},
      {"DELETE", "/{account}/vaults/{vault}/lock-policy", "", "AbortVaultLock", abort_vault_lock},
      {"POST", "/{account}/vaults/{vault}/tags", "operation=add", "AddTagsToVault",
       add_tags_to_vault},
      {"POST", "/{account}/vaults/{vault}/multipart-uploads/{upload_id}", "",
       "CompleteMultipartUpload", complete_multipart_upload},
      {"POST", "/{account}/vaults/{vault}/lock-policy/{lock_id}", "", "CompleteVaultLock",
       complete_vault_lock},
      {"PUT", "/{account}/vaults/{vault}", "", "CreateVault", create_vault},
      {"DELETE", "/{account}/vaults/{vault}/archives/{archive_id}", "", "DeleteArchive",
       delete_archive},
      {"DELETE", "/{account}/vaults/{vault}", "", "DeleteVault", delete_vault},
      {"DELETE", "/{account}/vaults/{vault}/access-policy", "", "DeleteVaultAccessPolicy",
       delete_vault_access_policy},
      {"DELETE", "/{account}/vaults/{vault}/notification-configuration", "",
       "DeleteVaultNotifications", delete_vault_notifications},
      {"GET", "/{account}/vaults/{vault}/jobs/{job_id}", "", "DescribeJob", describe_job},
      {"GET", "/{account}/vaults/{vault}", "", "DescribeVault", describe_vault},
      {"GET", "/{account}/policies/data-retrieval", "", "GetDataRetrievalPolicy",
       get_data_retrieval_policy},
      {"GET", "/{account}/vaults/{vault}/jobs/{job_id}/output", "", "GetJobOutput", get_job_output},
      {"GET", "/{account}/vaults/{vault}/access-policy", "", "GetVaultAccessPolicy",
       get_vault_access_policy},
      {"GET", "/{account}/vaults/{vault}/lock-policy", "", "GetVaultLock", get_vault_lock},
      {"GET", "/{account}/vaults/{vault}/notification-configuration", "", "GetVaultNotifications",
       get_vault_notifications},
      {"POST", "/{account}/vaults/{vault}/jobs", "", "InitiateJob", initiate_job},
      {"POST", "/{account}/vaults/{vault}/multipart-uploads", "", "InitiateMultipartUpload",
       initiate_multipart_upload},
      {"POST", "/{account}/vaults/{vault}/lock-policy", "", "InitiateVaultLock",
       initiate_vault_lock},
      {"GET", "/{account}/vaults/{vault}/jobs", "", "ListJobs", list_jobs},
      {"GET", "/{account}/vaults/{vault}/multipart-uploads", "", "ListMultipartUploads",
       list_multipart_uploads},
      {"GET", "/{account}/vaults/{vault}/multipart-uploads/{upload_id}", "", "ListParts",
       list_parts},
      {"GET", "/{account}/provisioned-capacity", "", "ListProvisionedCapacity",
       list_provisioned_capacity},
      {"GET", "/{account}/vaults/{vault}/tags", "", "ListTagsForVault", list_tags_for_vault},
      {"GET", "/{account}/vaults", "", "ListVaults", list_vaults},
      {"POST", "/{account}/provisioned-capacity", "", "PurchaseProvisionedCapacity",
       purchase_provisioned_capacity},
      {"POST", "/{account}/vaults/{vault}/tags", "operation=remove", "RemoveTagsFromVault",
       remove_tags_from_vault},
      {"PUT", "/{account}/policies/data-retrieval", "", "SetDataRetrievalPolicy",
       set_data_retrieval_policy},
      {"PUT", "/{account}/vaults/{vault}/access-policy", "", "SetVaultAccessPolicy",
       set_vault_access_policy},
      {"PUT", "/{account}/vaults/{vault}/notification-configuration", "", "SetVaultNotifications",
       set_vault_notifications},
      {"POST", "/{account}/vaults/{vault}/archives", "", "UploadArchive", upload_archive},
      {"PUT", "/{account}/vaults/{vault}/multipart-uploads/{upload_id}", "", "UploadMultipartPart",
       upload_multipart_part},
      // Not an operation: a tags POST whose ?operation= is neither add nor remove.
      {"POST", "/{account}/vaults/{vault}/tags", "", "AddTagsToVault", unknown_tags_operation},
  });
  return table;
}

}  // namespace glacier::api

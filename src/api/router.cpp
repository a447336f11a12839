#include "glacier/api/router.hpp"

#include <boost/url/params_view.hpp>

#include "glacier/api/archives.hpp"
#include "glacier/api/jobs.hpp"
#include "glacier/api/multipart.hpp"
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

route_match match_route(const std::vector<route>& table, std::string_view method,
                        const std::vector<std::string>& segments,
                        const boost::urls::url_view& url) {
  route_match result;
  for (const auto& r : table) {
    const auto parts = split_pattern(r.pattern);
    if (parts.size() != segments.size()) continue;
    std::vector<std::pair<std::string_view, std::string>> parameters;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const auto part = parts[i];
      if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
        ok = !segments[i].empty();
        parameters.emplace_back(part.substr(1, part.size() - 2), segments[i]);
      } else {
        ok = part == segments[i];
      }
    }
    if (!ok) continue;
    result.path_known = true;
    if (r.method != method || !query_satisfied(r.required_query, url)) continue;
    result.matched = &r;
    result.parameters = std::move(parameters);
    return result;
  }
  return result;
}

const std::vector<route>& glacier_routes() {
  // One line per operation, in the API reference's order.
  static const std::vector<route> table{
      {"POST", "/{account}/vaults/{vault}/archives", "", "UploadArchive", upload_archive},
      {"DELETE", "/{account}/vaults/{vault}/archives/{archive_id}", "", "DeleteArchive",
       delete_archive},
      {"POST", "/{account}/vaults/{vault}/multipart-uploads/{upload_id}", "",
       "CompleteMultipartUpload", complete_multipart_upload},
      {"DELETE", "/{account}/vaults/{vault}/multipart-uploads/{upload_id}", "",
       "AbortMultipartUpload", abort_multipart_upload},
      {"POST", "/{account}/vaults/{vault}/multipart-uploads", "", "InitiateMultipartUpload",
       initiate_multipart_upload},
      {"GET", "/{account}/vaults/{vault}/multipart-uploads", "", "ListMultipartUploads",
       list_multipart_uploads},
      {"GET", "/{account}/vaults/{vault}/multipart-uploads/{upload_id}", "", "ListParts",
       list_parts},
      {"PUT", "/{account}/vaults/{vault}/multipart-uploads/{upload_id}", "", "UploadMultipartPart",
       upload_multipart_part},
      {"PUT", "/{account}/vaults/{vault}", "", "CreateVault", create_vault},
      {"DELETE", "/{account}/vaults/{vault}", "", "DeleteVault", delete_vault},
      {"GET", "/{account}/vaults/{vault}", "", "DescribeVault", describe_vault},
      {"GET", "/{account}/vaults", "", "ListVaults", list_vaults},
      {"GET", "/{account}/vaults/{vault}/jobs/{job_id}", "", "DescribeJob", describe_job},
      {"GET", "/{account}/vaults/{vault}/jobs/{job_id}/output", "", "GetJobOutput", get_job_output},
      {"POST", "/{account}/vaults/{vault}/jobs", "", "InitiateJob", initiate_job},
      {"GET", "/{account}/vaults/{vault}/jobs", "", "ListJobs", list_jobs},
  };
  return table;
}

}  // namespace glacier::api

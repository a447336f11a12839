// Where Glacier puts a select job's objects is documented (job.txt, results/...,
// result_manifest.txt, errors/...); their names and the manifests' format are not, so these
// are glacier-mock's choice (README, "Glacier Select"): numbered parts, and manifests of
// s3:// URLs one per line, the form LocalStack writes too.
#include "glacier/jobs/select/output_layout.hpp"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

namespace glacier::select {

namespace {

std::string numbered(const char* stem, std::size_t n, const char* extension) {
  char name[64];
  std::snprintf(name, sizeof name, "%s-%05zu%s", stem, n, extension);
  return name;
}

select_object object(std::string key, std::string body, const char* content_type) {
  return {std::move(key), std::make_shared<const std::string>(std::move(body)), content_type};
}

std::string manifest(const std::string& bucket, const std::string& output_path,
                     const std::vector<select_object>& listed) {
  std::string text;
  for (const auto& o : listed) text += "s3://" + bucket + "/" + output_path + o.key + "\n";
  return text;
}

}  // namespace

std::vector<select_object> success_objects(const std::string& bucket,
                                           const std::string& output_path, std::string job_txt,
                                           std::vector<std::string> parts) {
  std::vector<select_object> results;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    results.push_back(
        object("results/" + numbered("part", i, ".csv"), std::move(parts[i]), "text/csv"));
  }
  std::vector<select_object> out;
  out.push_back(object("job.txt", std::move(job_txt), "text/plain"));
  auto list = manifest(bucket, output_path, results);
  for (auto& r : results) out.push_back(std::move(r));
  out.push_back(object("result_manifest.txt", std::move(list), "text/plain"));
  return out;
}

std::vector<select_object> failure_objects(const std::string& bucket,
                                           const std::string& output_path, std::string job_txt,
                                           const std::string& code, const std::string& message) {
  std::vector<select_object> errors;
  const nlohmann::ordered_json error{{"ErrorCode", code}, {"ErrorMessage", message}};
  errors.push_back(object("errors/" + numbered("error", 0, ".json"),
                          error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                          "application/json"));
  std::vector<select_object> out;
  out.push_back(object("job.txt", std::move(job_txt), "text/plain"));
  auto list = manifest(bucket, output_path, errors);
  for (auto& e : errors) out.push_back(std::move(e));
  out.push_back(object("error_manifest.txt", std::move(list), "text/plain"));
  return out;
}

}  // namespace glacier::select

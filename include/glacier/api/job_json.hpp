#pragma once

#include <optional>
#include <string>
#include <vector>

#include "glacier/store/model/job.hpp"

namespace glacier::api {

/// Appends a job as DescribeJob, ListJobs, job notifications and the admin state show it
/// to `out`: every field of the model, in the model's order, with null where AWS sends
/// null; compact JSON as json_response writes it (UTF-8 kept, invalid UTF-8 replaced by
/// U+FFFD), written directly rather than through a JSON object.
void append_job_description(std::string& out, const job& j);

/// DescribeJob's body: the bytes of append_job_description.
std::string job_description_body(const job& j);

/// ListJobs' body written a job at a time, as the store visits the page (store::visit_job_page).
class job_list_writer {
 public:
  /// `expected_jobs`: how many jobs the page may hold, to size the buffer once.
  explicit job_list_writer(std::size_t expected_jobs);
  void add(const job& j);
  /// The body: {"JobList":[descriptions...],"Marker":marker or null}.
  std::string finish(const std::optional<std::string>& marker) &&;

 private:
  std::string out_;
  std::size_t expected_jobs_;
  std::size_t jobs_ = 0;
};

/// ListJobs' body of a page of copies: the bytes of job_list_writer.
std::string job_list_body(const std::vector<job>& jobs, const std::optional<std::string>& marker);

}  // namespace glacier::api

#pragma once

#include <string>
#include <vector>

#include "glacier/store/model/job.hpp"

namespace glacier::select {

/// The objects of a select job that succeeded, keys relative to its output path (spec Part
/// 3C.5): job.txt, the result parts as results/part-00000.csv, results/part-00001.csv, ...
/// and result_manifest.txt, which lists each part as s3://<bucket>/<output path><key>, one
/// per line. `job_txt` is the job's DescribeJob JSON as of its initiation.
std::vector<select_object> success_objects(const std::string& bucket,
                                           const std::string& output_path, std::string job_txt,
                                           std::vector<std::string> parts);

/// The objects of a select job that failed: job.txt, errors/error-00000.json holding
/// {"ErrorCode": code, "ErrorMessage": message} and error_manifest.txt listing it.
std::vector<select_object> failure_objects(const std::string& bucket,
                                           const std::string& output_path, std::string job_txt,
                                           const std::string& code, const std::string& message);

}  // namespace glacier::select

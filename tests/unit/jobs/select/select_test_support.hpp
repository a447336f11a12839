#pragma once

// Builds select requests the way InitiateJob does, for the engine's tests.
#include <nlohmann/json.hpp>
#include <string>

#include "glacier/jobs/select/engine.hpp"
#include "glacier/jobs/select/query.hpp"
#include "glacier/store/model/select_request.hpp"

namespace glacier::testing {

/// A validated request for `sql` with these CSVInput and CSVOutput members.
inline select_request select_request_for(const std::string& sql, const nlohmann::json& input = {},
                                         const nlohmann::json& output = {}) {
  nlohmann::json parameters{{"Expression", sql}, {"ExpressionType", "SQL"}};
  if (!input.is_null()) parameters["InputSerialization"] = {{"csv", input}};
  if (!output.is_null()) parameters["OutputSerialization"] = {{"csv", output}};
  return read_select_request(parameters, {{"S3", {{"BucketName", "bucket"}, {"Prefix", "p"}}}});
}

/// 2024-01-01T00:00:00Z in microseconds: what UTCNOW() is in these tests.
inline constexpr select::timestamp test_now = 1704067200LL * 1'000'000;

/// The whole result of `sql` over `csv`, parts joined.
inline std::string select_csv(const std::string& csv, const std::string& sql,
                              const nlohmann::json& input = {}, const nlohmann::json& output = {}) {
  const auto result =
      select::run_query(csv, select_request_for(sql, input, output), test_now, 1 << 20);
  std::string out;
  for (const auto& p : result.parts) out += p;
  return out;
}

/// The S3 Select error code `sql` over `csv` fails with, or "" when it does not fail.
inline std::string select_error_code(const std::string& csv, const std::string& sql,
                                     const nlohmann::json& input = {},
                                     const nlohmann::json& output = {}) {
  try {
    select_csv(csv, sql, input, output);
  } catch (const select::select_error& e) {
    return e.code();
  }
  return "";
}

}  // namespace glacier::testing

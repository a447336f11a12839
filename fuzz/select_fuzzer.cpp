// libFuzzer entry point for Glacier Select's engine: the SQL parser and its checks, the
// translation to SQLite, the CSV reader and writer, over inputs InitiateJob would accept.
// Input: eleven setting bytes (FileHeaderInfo, then CSVInput's Comments, QuoteEscapeCharacter,
// RecordDelimiter, FieldDelimiter and QuoteCharacter, then CSVOutput's QuoteFields,
// QuoteEscapeCharacter, RecordDelimiter, FieldDelimiter and QuoteCharacter), the expression up
// to the first NUL byte, and the archive's bytes after it. See fuzz/README.md.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "glacier/core/error.hpp"
#include "glacier/jobs/select/engine.hpp"
#include "glacier/jobs/select/query.hpp"
#include "glacier/store/model/select_request.hpp"

namespace {

constexpr std::size_t setting_bytes = 11;

// A CSV member as InitiateJob receives it: the byte as a one-character string. A byte that
// is not ASCII becomes an invalid value, which the validation must refuse.
std::string character(std::uint8_t byte) {
  return std::string(1, static_cast<char>(byte));
}

[[noreturn]] void crash(const char* what, const std::string& detail) {
  std::fprintf(stderr, "select_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < setting_bytes) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + setting_bytes,
                              size - setting_bytes);
  const auto split = rest.find('\0');
  const auto expression = rest.substr(0, split);
  const auto archive =
      split == std::string_view::npos ? std::string_view() : rest.substr(split + 1);

  static constexpr const char* headers[] = {"NONE", "IGNORE", "USE"};
  nlohmann::json input{
      {"FileHeaderInfo", headers[data[0] % 3]},     {"Comments", character(data[1])},
      {"QuoteEscapeCharacter", character(data[2])}, {"RecordDelimiter", character(data[3])},
      {"FieldDelimiter", character(data[4])},       {"QuoteCharacter", character(data[5])}};
  nlohmann::json output{{"QuoteFields", data[6] % 2 ? "ALWAYS" : "ASNEEDED"},
                        {"QuoteEscapeCharacter", character(data[7])},
                        {"RecordDelimiter", character(data[8])},
                        {"FieldDelimiter", character(data[9])},
                        {"QuoteCharacter", character(data[10])}};
  const nlohmann::json parameters{{"Expression", std::string(expression)},
                                  {"ExpressionType", "SQL"},
                                  {"InputSerialization", {{"csv", input}}},
                                  {"OutputSerialization", {{"csv", output}}}};
  glacier::select_request request;
  try {
    request = glacier::read_select_request(
        parameters, {{"S3", {{"BucketName", "bucket"}, {"Prefix", "prefix"}}}});
    glacier::select::parse_and_check(request.expression, request.input.header);
  } catch (const glacier::error&) {
    return 0;  // refused at InitiateJob: 400
  } catch (const glacier::select::select_error&) {
    return 0;  // refused at InitiateJob: 400 with S3 Select's code
  } catch (const nlohmann::json::exception&) {
    return 0;  // an expression that is not UTF-8 cannot be sent as JSON at all
  }

  try {
    // Small parts, so the split at record boundaries is exercised too.
    const auto result = glacier::select::run_query(archive, request, 1'704'067'200'000'000, 64);
    if (result.parts.empty()) crash("no result part", std::string(expression));
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < result.parts.size(); ++i) {
      const auto& part = result.parts[i];
      bytes += part.size();
      const bool last = i + 1 == result.parts.size();
      if (!part.empty() && part.back() != request.output.record_delimiter) {
        crash("a part does not end with the record delimiter", std::string(expression));
      }
      if (part.empty() && !(last && result.parts.size() == 1)) {
        crash("an empty part among others", std::string(expression));
      }
    }
    // Every record written ends in the record delimiter, so it is never empty.
    if ((bytes == 0) != (result.records_returned == 0)) {
      crash("records returned and bytes written disagree", std::string(expression));
    }
    if (result.records_returned > result.records_read) {
      crash("more records returned than read", std::string(expression));
    }
  } catch (const glacier::select::select_error& e) {
    // The job ends Failed with this code; an internal error means the translation produced
    // SQL that SQLite refused or a function failed without a code.
    if (e.code() == "InternalError" || e.code() == "UnsupportedSqlStructure") {
      crash(e.what(), std::string(expression));
    }
  }
  return 0;
}
